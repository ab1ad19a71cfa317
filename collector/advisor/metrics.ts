import { WEEKS_PER_MONTH } from '../../cost/model.ts';
import type { Tariff } from '../../cost/scenario.ts';
import { rateAt } from '../../cost/tariff.ts';
import { FamilyBuilder, type MetricFamily } from '../../exporters/metrics.ts';
import type { Advice } from './advice.ts';
import type { PeriodicState } from './periodic.ts';

/** What the collector knows about its runs, for /metrics. */
/** The collector's latest advice, and how its runs went. */
export type AdvisorState = PeriodicState<Advice>;

/**
 * The collector's own series (ARCHITECTURE.md, layer 3). `tierwise_tariff_price_per_kwh` is the price
 * now, from the tariff alone, so the recording rules' `tierwise:*_cost_per_hour` work from the first
 * scrape; the rest come from the latest successful run and are averages over its window.
 */
export function advisorFamilies(tariff: Tariff, state: AdvisorState, nowSeconds: number): MetricFamily[] {
  const currency = tariff.currency;
  const rate = rateAt(tariff, nowSeconds);
  const b = new FamilyBuilder().gauge(
    'tierwise_tariff_price_per_kwh',
    'What a kWh costs now, in the tariff of tierwise.yml.',
    rate.price_per_kwh,
    { currency },
  );
  if (rate.carbon_g_per_kwh !== undefined)
    b.gauge(
      'tierwise_tariff_carbon_grams_per_kwh',
      'Grid carbon intensity now, in the tariff of tierwise.yml.',
      rate.carbon_g_per_kwh,
    );

  const { value: advice, lastRun } = state;
  b.gauge(
    'tierwise_advisor_last_run_success',
    'Whether the last run read Prometheus and priced the lab (1) or failed (0).',
    lastRun?.success ? 1 : 0,
  );
  if (state.lastSuccessAt !== undefined)
    b.gauge(
      'tierwise_advisor_last_run_success_timestamp_seconds',
      'When a run last succeeded: the cost series below are from then.',
      state.lastSuccessAt,
    );
  if (lastRun)
    b.gauge(
      'tierwise_advisor_last_run_duration_seconds',
      'How long the last run took.',
      lastRun.durationSeconds,
    );
  if (!advice) return b.build();

  b.gauge(
    'tierwise_advisor_confidence',
    'Whether the latest answer rests on enough data (1) or is a low-confidence estimate (0).',
    advice.confidence === 'ok' ? 1 : 0,
  ).gauge(
    'tierwise_advisor_coverage_ratio',
    'Share of the window the latest answer had power data for.',
    advice.costs.coverage,
  );
  const { costs, placement } = advice;
  const coverage = new Map(costs.machines.map((m) => [m.name, m.coverage]));
  // Per hour of data: a machine seen for half the window is not half as expensive.
  const perHour = (cost: number, machine: string) => {
    const hours = costs.window.hours * (coverage.get(machine) ?? 0);
    return hours > 0 ? cost / hours : undefined;
  };
  for (const m of costs.machines) {
    const v = perHour(m.energy_cost, m.name);
    if (v !== undefined)
      b.gauge(
        'tierwise_cost_node_per_hour',
        "Each machine's energy cost per hour, averaged over the advisor's window.",
        v,
        { instance: m.name, currency },
      );
  }
  for (const w of costs.workloads) {
    const v = perHour(w.energy_cost, w.machine);
    if (v !== undefined)
      b.gauge(
        'tierwise_cost_workload_per_hour',
        "Each workload's energy cost per hour on its machine, averaged over the advisor's window.",
        v,
        { instance: w.machine, workload: w.name, currency },
      );
  }
  for (const m of placement.moves)
    b.gauge(
      'tierwise_placement_move_saving_per_month',
      'Projected monthly saving of each recommended move, with its share of the machines it helps switch off (do not add the power-off savings to these).',
      m.net_saving_per_month,
      { workload: m.workload, from: m.from, to: m.to, currency },
    );
  for (const p of placement.power_off)
    b.gauge(
      'tierwise_placement_power_off_saving_per_month',
      'Projected monthly saving of switching each machine off.',
      p.saving_per_week * WEEKS_PER_MONTH,
      { instance: p.machine, currency },
    );
  b.gauge(
    'tierwise_placement_saving_per_week',
    'Weekly cost now less the planned placement weekly cost.',
    placement.current_weekly_cost - placement.planned_weekly_cost,
    { currency },
  );
  return b.build();
}
