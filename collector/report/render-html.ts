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
  percent,
  tierPower,
  verdictText,
  weekLine,
} from './format.ts';
import type { WeeklyReport } from './model.ts';

/** Inline, so the file stands alone: opened from a mail or a disk it fetches nothing. */
const CSS = `
body{font:14px/1.45 system-ui,sans-serif;color:#222;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.4rem .8rem}
.low{background:#fdecea;border-left:4px solid #c62828;padding:.4rem .8rem}
.muted{color:#666}.verdict-mostly-idle-consolidate,.verdict-power-off-off-hours{color:#b35900;font-weight:600}
.verdict-no-data{color:#c62828}figure{margin:1rem 0}
`;

interface Col {
  head: string;
  numeric?: boolean;
}

/** Every cell is text, escaped here; a cell given as {html} is markup this module built. */
type Cell = string | { html: string };

function table(cols: Col[], rows: Cell[][]): string {
  const head = cols.map((c) => `<th${c.numeric ? ' class="n"' : ''}>${e(c.head)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((cellValue, i) => {
            const text = typeof cellValue === 'string' ? e(cellValue) : cellValue.html;
            return `<td${cols[i]?.numeric ? ' class="n"' : ''}>${text}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const n = (head: string): Col => ({ head, numeric: true });
const t = (head: string): Col => ({ head });
const list = (items: string[]) => `<ul>\n${items.map((i) => `<li>${e(i)}</li>`).join('\n')}\n</ul>`;

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

  s.push(
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
  );

  const plan = r.plan;
  s.push(`<h2>${low ? 'Possible moves (low confidence: check the data first)' : 'Recommended moves'}</h2>`);
  s.push(
    plan.moves.length === 0
      ? '<p>None: every workload is where it costs least.</p>'
      : table(
          [t('workload'), t('from'), t('to'), n('saving/week'), n('saving/month'), t('why')],
          plan.moves.map((m) => [
            m.workload,
            m.from,
            m.to,
            money(m.saving_per_week, c),
            money(m.saving_per_month, c),
            m.reason,
          ]),
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

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(r.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...s,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
