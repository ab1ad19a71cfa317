import type { PrometheusTarget } from '../../common/prometheus-client.ts';
import { type BuildInput, type BuiltScenario, buildScenario } from './build-scenario.ts';
import { checkReachable, fetchContract, type QueryProgress } from './contract-queries.ts';
import { gridEndingAt } from './grid.ts';

/** Prometheus refuses a range query of more than 11,000 points per series. */
const MAX_POINTS = 10_000;
/**
 * The newest minute is left out: the rules may not have evaluated it yet, and VictoriaMetrics holds back
 * its latest 30 seconds (-search.latencyOffset); either would read as a gap at the end.
 */
const SETTLE_SECONDS = 60;

export interface PrometheusScenarioOptions extends Omit<BuildInput, 'grid'> {
  windowSeconds: number;
  stepSeconds: number;
  /** Default: now. */
  nowSeconds?: number;
  /** A window that ended in the past (a report's week) ends exactly here, with no minute left to settle. */
  endSeconds?: number;
  onQuery?: (p: QueryProgress) => void;
}

/**
 * `tierwise advise --prometheus` and the collector: the window's contract series from Prometheus (or
 * VictoriaMetrics), turned into the cost model's plain input with the owner's facts from tierwise.yml.
 */
export async function scenarioFromPrometheus(
  target: PrometheusTarget,
  opts: PrometheusScenarioOptions,
): Promise<BuiltScenario> {
  const step = Math.max(opts.stepSeconds, Math.ceil(opts.windowSeconds / MAX_POINTS));
  const grid = gridEndingAt(
    opts.endSeconds ?? (opts.nowSeconds ?? Date.now() / 1000) - SETTLE_SECONDS,
    opts.windowSeconds,
    step,
  );
  await checkReachable(target);
  const data = await fetchContract(target, grid, opts.onQuery);
  return buildScenario(data, {
    grid,
    tariff: opts.tariff,
    declarations: opts.declarations,
    ...(opts.options && { options: opts.options }),
  });
}
