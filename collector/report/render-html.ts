import { costChartSvg, powerChartSvg } from './charts.ts';
import { escapeHtml as e } from './escape.ts';
import {
  carbon,
  changeText,
  costChange,
  durationText,
  kwh,
  localTime,
  money,
  moveCells,
  percent,
  tierPower,
  verdictText,
  weekLine,
} from './format.ts';
import { type Cell, list, n, page, t, table } from './html.ts';
import type { WeeklyReport } from './model.ts';

/** The report as one self-contained HTML file: inline CSS and SVG, no scripts, nothing fetched. */
export function renderHtml(r: WeeklyReport): string {
  const c = r.currency;
  const zone = r.week.timezone;
  const low = r.confidence === 'low';
  const s: string[] = [];
  s.push(`<h1>${e(r.title)}</h1>`, `<p class="muted">${e(weekLine(r))} · from ${e(r.source)}</p>`);
  if (r.week.hours_note) s.push(`<p class="note">${e(r.week.hours_note)}.</p>`);
  if (low)
    s.push(
      `<p class="low"><strong>Low confidence</strong>: power data covers ${e(percent(r.coverage.share))} of the week. The figures are estimates, not a recommendation (see Data coverage).</p>`,
    );

  const tot = r.totals;
  const prev = r.previous_week.available ? r.previous_week.label : `${r.previous_week.label} (no data)`;
  const total = (name: string, ch: typeof tot.energy_kwh, unit: (v: number) => string): Cell[] => [
    name,
    unit(ch.value),
    ch.previous === null ? '—' : unit(ch.previous),
    changeText(ch, unit),
  ];
  s.push(
    '<h2>Totals</h2>',
    table(
      [t(''), n(r.week.label), n(prev), n('change')],
      [
        total('energy', tot.energy_kwh, kwh),
        total('energy cost', tot.energy_cost, (v) => money(v, c)),
        total('total cost', tot.total_cost, (v) => money(v, c)),
        ...(tot.carbon_kg ? [total('carbon', tot.carbon_kg, carbon)] : []),
      ],
    ),
    `<p>Total cost includes the standing charge (${e(money(tot.standing_charge, c))}) and amortisation (${e(money(tot.amortisation, c))}).</p>`,
  );

  s.push(
    '<h2>Cost by tier</h2>',
    table(
      [t('tier'), t('machines'), n('energy'), n('total'), n('share'), n('vs last week')],
      r.tiers.map((x) => [
        x.tier,
        x.machines.join(', '),
        kwh(x.energy_kwh),
        money(x.total_cost, c),
        percent(x.share_of_cost),
        costChange(x.total_cost, x.previous_total_cost, c),
      ]),
    ),
    '<h2>Machines</h2>',
    `<figure>${costChartSvg(r)}</figure>`,
    table(
      [
        t('machine'),
        t('tier'),
        t('power source'),
        n('energy'),
        n('total'),
        n('vs last week'),
        n('CPU used'),
        t('verdict'),
        t('why'),
      ],
      r.machines.map((m) => [
        m.name,
        m.tier,
        m.power_source ?? '—',
        kwh(m.energy_kwh),
        money(m.total_cost, c),
        costChange(m.total_cost, m.previous_total_cost, c),
        percent(m.utilisation),
        { html: `<span class="verdict-${e(m.verdict)}">${e(verdictText(m.verdict))}</span>` },
        m.reason,
      ]),
    ),
  );

  if (r.top_workloads.length > 0)
    s.push(
      `<h2>Top workloads by energy cost (${r.top_workloads.length} of ${r.workload_count})</h2>`,
      table(
        [t('workload'), t('kind'), t('machine'), n('energy'), n('energy cost')],
        r.top_workloads.map((w) => [w.name, w.kind, w.machine, kwh(w.energy_kwh), money(w.energy_cost, c)]),
      ),
    );

  s.push(...powerSection(r), ...planSection(r.plan, c, low));

  s.push('<h2>Alerts fired</h2>');
  s.push(
    r.alerts.length === 0
      ? '<p>None.</p>'
      : table(
          [
            t('alert'),
            t('instance'),
            t('severity'),
            t('first firing'),
            t('last firing'),
            n('firing for'),
            n('times'),
          ],
          r.alerts.map((a) => [
            a.alertname,
            a.instance ?? '—',
            a.severity ?? '—',
            localTime(a.first_firing, zone),
            localTime(a.last_firing, zone),
            durationText(a.firing_seconds),
            String(a.intervals.length),
          ]),
        ),
  );

  s.push(
    '<h2>Data coverage</h2>',
    `<p>Power data covers ${e(percent(r.coverage.share))} of the week (${r.week.hours} h).</p>`,
  );
  if (r.coverage.missing.length > 0) s.push(list(r.coverage.missing));
  if (r.warnings.length > 0) s.push('<h3>Warnings</h3>', list(r.warnings));
  s.push(`<p class="muted">Generated ${e(r.generated_at)} by tierwise.</p>`);

  return page(r.title, s);
}

/** Power per tier over the week (or the week so far): the chart, and each tier's mean and peak hour. */
export function powerSection(r: Parameters<typeof powerChartSvg>[0]): string[] {
  return [
    '<h2>Power per tier</h2>',
    `<figure>${powerChartSvg(r)}</figure>`,
    table(
      [t('tier'), n('mean'), n('peak hour')],
      r.power.tiers.map((x) => {
        const p = tierPower(x.watts);
        const w = (v: number | undefined) => (v === undefined ? 'no data' : `${v.toFixed(1)} W`);
        return [x.tier, w(p.mean), w(p.peak)];
      }),
    ),
  ];
}

/** The recommended moves and switch-offs; `low` says they rest on too little data to act on. */
export function planSection(plan: WeeklyReport['plan'], c: string, low: boolean): string[] {
  const s = [
    `<h2>${low ? 'Possible moves (low confidence: check the data first)' : 'Recommended moves'}</h2>`,
  ];
  s.push(
    plan.moves.length === 0
      ? '<p>None: every workload is where it costs least.</p>'
      : table(
          [t('workload'), t('from'), t('to'), n('saving/week'), n('saving/month'), t('why')],
          plan.moves.map((m) => moveCells(m, c)),
        ),
    '<h3>Machines that could be switched off</h3>',
    plan.power_off.length === 0
      ? '<p>None.</p>'
      : table(
          [t('machine'), n('saving/week'), t('why')],
          plan.power_off.map((p) => [p.machine, money(p.saving_per_week, c), p.reason]),
        ),
    `<p>Plan: ${e(money(plan.current_weekly_cost, c))}/week now → ${e(money(plan.planned_weekly_cost, c))}/week, saving ${e(money(plan.saving_per_week, c))}/week (${e(plan.solver)}, ${e(plan.status)}).</p>`,
  );
  if (plan.notes.length > 0) s.push(list(plan.notes));
  return s;
}
