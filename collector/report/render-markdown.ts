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
import type { WeeklyReport } from './model.ts';

/** A table cell: a pipe would end it, a newline the row, and Gitea would read `<` as the start of HTML. */
const cell = (text: string) =>
  text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');
/** Running text: the same, and leading characters that would make it a heading or a list are harmless mid-line. */
const inline = (text: string) => cell(text).replace(/([*_`[\]])/g, '\\$1');

function table(head: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const align = head.map((_, i) => (right.has(i) ? '---:' : '---'));
  return [head, align, ...rows.map((r) => r.map(cell))].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The report as GitHub-flavoured Markdown, which Gitea renders in an issue or a wiki page. */
export function renderMarkdown(r: WeeklyReport): string {
  const c = r.currency;
  const zone = r.week.timezone;
  const low = r.confidence === 'low';
  const out: string[] = [`# ${inline(r.title)}`, '', `${inline(weekLine(r))} · from ${inline(r.source)}`];
  if (r.week.hours_note) out.push('', `> ${inline(r.week.hours_note)}.`);
  if (low)
    out.push(
      '',
      `> **Low confidence**: power data covers ${percent(r.coverage.share)} of the week. The figures are estimates, not a recommendation (see Data coverage).`,
    );

  const prev = r.previous_week.available ? r.previous_week.label : `${r.previous_week.label} (no data)`;
  const t = r.totals;
  const total = (name: string, ch: typeof t.energy_kwh, unit: (v: number) => string) => [
    name,
    unit(ch.value),
    ch.previous === null ? '—' : unit(ch.previous),
    changeText(ch, unit),
  ];
  out.push(
    '',
    '## Totals',
    '',
    table(
      ['', r.week.label, prev, 'change'],
      [
        total('energy', t.energy_kwh, kwh),
        total('energy cost', t.energy_cost, (v) => money(v, c)),
        total('total cost', t.total_cost, (v) => money(v, c)),
        ...(t.carbon_kg ? [total('carbon', t.carbon_kg, carbon)] : []),
      ],
      new Set([1, 2, 3]),
    ),
    '',
    `Total cost includes the standing charge (${money(t.standing_charge, c)}) and amortisation (${money(t.amortisation, c)}).`,
  );

  out.push(
    '',
    '## Cost by tier',
    '',
    table(
      ['tier', 'machines', 'energy', 'total', 'share', 'vs last week'],
      r.tiers.map((x) => [
        x.tier,
        x.machines.join(', '),
        kwh(x.energy_kwh),
        money(x.total_cost, c),
        percent(x.share_of_cost),
        costChange(x.total_cost, x.previous_total_cost, c),
      ]),
      new Set([2, 3, 4]),
    ),
    '',
    '## Machines',
    '',
    table(
      ['machine', 'tier', 'power source', 'energy', 'total', 'vs last week', 'CPU used', 'verdict'],
      r.machines.map((m) => [
        m.name,
        m.tier,
        m.power_source ?? '—',
        kwh(m.energy_kwh),
        money(m.total_cost, c),
        costChange(m.total_cost, m.previous_total_cost, c),
        percent(m.utilisation),
        verdictText(m.verdict),
      ]),
      new Set([3, 4, 6]),
    ),
    '',
    ...r.machines.map((m) => `- **${inline(m.name)}**: ${inline(m.reason)}`),
  );

  if (r.top_workloads.length > 0)
    out.push(
      '',
      `## Top workloads by energy cost (${r.top_workloads.length} of ${r.workload_count})`,
      '',
      table(
        ['workload', 'kind', 'machine', 'energy', 'energy cost'],
        r.top_workloads.map((w) => [w.name, w.kind, w.machine, kwh(w.energy_kwh), money(w.energy_cost, c)]),
        new Set([3, 4]),
      ),
    );

  out.push(
    '',
    '## Power per tier',
    '',
    table(
      ['tier', 'mean', 'peak hour'],
      r.power.tiers.map((x) => {
        const p = tierPower(x.watts);
        const w = (v: number | undefined) => (v === undefined ? 'no data' : `${v.toFixed(1)} W`);
        return [x.tier, w(p.mean), w(p.peak)];
      }),
      new Set([1, 2]),
    ),
  );

  const plan = r.plan;
  out.push('', low ? '## Possible moves (low confidence: check the data first)' : '## Recommended moves', '');
  out.push(
    plan.moves.length === 0
      ? 'None: every workload is where it costs least.'
      : table(
          ['workload', 'from', 'to', 'saving/week', 'saving/month', 'why'],
          plan.moves.map((m) => moveCells(m, c)),
          new Set([3, 4]),
        ),
    '',
    '### Machines that could be switched off',
    '',
    plan.power_off.length === 0
      ? 'None.'
      : table(
          ['machine', 'saving/week', 'why'],
          plan.power_off.map((p) => [p.machine, money(p.saving_per_week, c), p.reason]),
          new Set([1]),
        ),
    '',
    `Plan: ${money(plan.current_weekly_cost, c)}/week now → ${money(plan.planned_weekly_cost, c)}/week, saving ${money(plan.saving_per_week, c)}/week (${plan.solver}, ${plan.status}).`,
  );
  if (plan.notes.length > 0) out.push('', ...plan.notes.map((n) => `- ${inline(n)}`));

  out.push('', '## Alerts fired', '');
  out.push(
    r.alerts.length === 0
      ? 'None.'
      : table(
          ['alert', 'instance', 'severity', 'first firing', 'last firing', 'firing for', 'times'],
          r.alerts.map((a) => [
            a.alertname,
            a.instance ?? '—',
            a.severity ?? '—',
            localTime(a.first_firing, zone),
            localTime(a.last_firing, zone),
            durationText(a.firing_seconds),
            String(a.intervals.length),
          ]),
          new Set([5, 6]),
        ),
  );

  out.push(
    '',
    '## Data coverage',
    '',
    `Power data covers ${percent(r.coverage.share)} of the week (${r.week.hours} h).`,
  );
  if (r.coverage.missing.length > 0) out.push('', ...r.coverage.missing.map((m) => `- ${inline(m)}`));
  if (r.warnings.length > 0) out.push('', '### Warnings', '', ...r.warnings.map((w) => `- ${inline(w)}`));
  out.push('', `<sub>Generated ${inline(r.generated_at)} by tierwise.</sub>`);
  return `${out.join('\n')}\n`;
}
