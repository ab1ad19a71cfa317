import { type PrometheusTarget, promqlString, queryRange } from '../../../common/prometheus-client.ts';
import type { PowerPoint } from './fit.ts';

export interface HistoryQuery {
  instance: string;
  /** The measured source to fit against: plug, rapl, pmic, battery, hwmon. */
  source: string;
  start: number;
  end: number;
  /** Each point is the mean over one step. */
  stepSeconds: number;
}

/**
 * The PromQL for one point per step: the source's mean power over the step, and the machine's CPU
 * utilisation over the same step (busy time over all CPUs, iowait counted idle as the model does).
 */
export function historyExpressions(q: HistoryQuery): { power: string; utilisation: string } {
  const instance = promqlString(q.instance);
  const w = `${q.stepSeconds}s`;
  return {
    power: `avg_over_time(tierwise_node_power_watts{instance=${instance},source=${promqlString(q.source)}}[${w}])`,
    utilisation:
      `1 - sum(rate(node_cpu_seconds_total{instance=${instance},mode=~"idle|iowait"}[${w}]))` +
      ` / count(node_cpu_seconds_total{instance=${instance},mode="idle"})`,
  };
}

/** Pairs power and utilisation at the timestamps both have; an instance with no data is an error. */
export async function pointsFromPrometheus(target: PrometheusTarget, q: HistoryQuery): Promise<PowerPoint[]> {
  const expr = historyExpressions(q);
  const range = { start: q.start, end: q.end, stepSeconds: q.stepSeconds };
  const [power, utilisation] = await Promise.all([
    queryRange(target, expr.power, range),
    queryRange(target, expr.utilisation, range),
  ]);
  if (power.length === 0)
    throw new Error(
      `no tierwise_node_power_watts{instance="${q.instance}",source="${q.source}"} in that range`,
    );
  if (utilisation.length === 0)
    throw new Error(`no node_cpu_seconds_total{instance="${q.instance}"} in that range`);
  const byTime = new Map((utilisation[0]?.values ?? []).map(([t, v]) => [t, Number(v)]));
  const points: PowerPoint[] = [];
  for (const [t, v] of power[0]?.values ?? []) {
    // Where the CPU series begins (first data, after a gap: a restart), rate() sees only part of the
    // window and reads low, which looks like load that was not there: that step is left out.
    if (!byTime.has(t - q.stepSeconds)) continue;
    const u = byTime.get(t);
    const watts = Number(v);
    if (u !== undefined && Number.isFinite(u) && Number.isFinite(watts))
      points.push({ utilisation: u, watts });
  }
  return points;
}
