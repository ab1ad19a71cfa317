import type { Advice } from './advice.ts';
import { table } from './table.ts';

const TOP_WORKLOADS = 10;

const money = (v: number, currency: string) => `${v.toFixed(2)} ${currency}`;
const kwh = (v: number) => v.toFixed(2);
const pct = (v: number) => `${Math.round(v * 100)} %`;
const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');

function sourceLine(a: Advice): string {
  const s = a.source;
  const where = s.kind === 'prometheus' ? `Prometheus ${s.url}, last ${s.window}` : `scenario ${s.file}`;
  const w = a.costs.window;
  return `tierwise advice from ${where} (${day(w.start)} – ${day(w.end)} UTC, ${w.hours.toFixed(0)} h)`;
}

/**
 * The readable form of an answer: costs per machine and workload, the moves and switch-offs with their
 * savings and reasons, and the confidence first, so a low-confidence answer never reads as advice.
 */
export function adviceText(a: Advice): string {
  const { costs, placement } = a;
  const c = costs.currency;
  const low = a.confidence === 'low';
  const out: string[] = [sourceLine(a)];
  out.push(
    low
      ? `CONFIDENCE: LOW — data covers ${pct(costs.coverage)} of the window. The figures below are estimates, not a recommendation (see warnings).`
      : `confidence: ok — data covers ${pct(costs.coverage)} of the window`,
    '',
    'Machines',
    table(
      ['machine', 'tier', 'source', 'kWh', 'energy', 'total', 'CPU used', 'verdict'],
      costs.machines.map((m) => [
        m.name,
        m.tier,
        m.power_source ?? '',
        kwh(m.energy_kwh),
        money(m.energy_cost, c),
        money(m.total_cost, c),
        pct(m.utilisation),
        m.verdict,
      ]),
      new Set([3, 4, 5, 6]),
    ),
    ...costs.machines.map((m) => `  ${m.name}: ${m.reason}`),
    `  total: ${kwh(costs.totals.energy_kwh)} kWh, energy ${money(costs.totals.energy_cost, c)}, standing charge ${money(costs.totals.standing_charge, c)}, amortisation ${money(costs.totals.amortisation, c)} → ${money(costs.totals.total_cost, c)}`,
  );

  const top = [...costs.workloads].sort((x, y) => y.energy_cost - x.energy_cost).slice(0, TOP_WORKLOADS);
  if (top.length > 0)
    out.push(
      '',
      `Top workloads by energy cost (of ${costs.workloads.length})`,
      table(
        ['workload', 'machine', 'kWh', 'energy'],
        top.map((w) => [w.name, w.machine, kwh(w.energy_kwh), money(w.energy_cost, c)]),
        new Set([2, 3]),
      ),
    );

  const saving = placement.current_weekly_cost - placement.planned_weekly_cost;
  out.push('', low ? 'Possible moves (LOW CONFIDENCE: check the data before acting)' : 'Recommended moves');
  out.push(
    placement.moves.length === 0
      ? '  none: every workload is where it costs least'
      : table(
          ['workload', 'from', 'to', 'saving/month', 'why'],
          placement.moves.map((m) => [m.workload, m.from, m.to, money(m.net_saving_per_month, c), m.reason]),
          new Set([3]),
        ),
  );
  out.push('', low ? 'Machines that could be switched off (LOW CONFIDENCE)' : 'Machines to switch off');
  out.push(
    placement.power_off.length === 0
      ? '  none'
      : table(
          ['machine', 'saving/week', 'why'],
          placement.power_off.map((p) => [p.machine, money(p.saving_per_week, c), p.reason]),
          new Set([1]),
        ),
  );
  out.push(
    '',
    `plan: ${money(placement.current_weekly_cost, c)}/week now → ${money(placement.planned_weekly_cost, c)}/week planned (saves ${money(saving, c)}/week; ${placement.solver}, ${placement.status}${placement.gap !== undefined && placement.gap > 0 ? `, gap ${pct(placement.gap)}` : ''})`,
  );
  if (placement.notes.length > 0) out.push('', 'Notes', ...placement.notes.map((n) => `  - ${n}`));
  if (a.warnings.length > 0) out.push('', 'Warnings', ...a.warnings.map((w) => `  ! ${w}`));
  return `${out.join('\n')}\n`;
}
