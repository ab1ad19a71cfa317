import { type PrometheusTarget, queryRange, type RangeSeries } from '../../common/prometheus-client.ts';

/** One alert (its labels less alertstate) and the stretches of the week it was firing. */
export interface FiredAlert {
  alertname: string;
  instance?: string;
  severity?: string;
  labels: Record<string, string>;
  /** Epoch seconds; each interval runs to one step past its last firing sample. */
  intervals: { start: number; end: number }[];
  first_firing: number;
  last_firing: number;
  firing_seconds: number;
}

export const ALERTS_QUERY = 'ALERTS{alertstate="firing"}';
/**
 * A minute resolves an alert's start and end well enough for a weekly summary and keeps a week under
 * Prometheus' 11,000 points per series. Prometheus marks ALERTS stale when an alert resolves, so an
 * interval does not run on for the lookback.
 */
export const ALERTS_STEP_SECONDS = 60;

/**
 * Prometheus' ALERTS history as firing intervals (pure: a range answer in). Consecutive samples one
 * step apart are one interval; a missing step ends it.
 */
export function firedAlerts(series: RangeSeries[], stepSeconds: number): FiredAlert[] {
  const byKey = new Map<string, { labels: Record<string, string>; times: number[] }>();
  for (const s of series) {
    const { alertstate: _, __name__: __, ...labels } = s.metric;
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    const entry = byKey.get(key) ?? { labels, times: [] };
    for (const [t, v] of s.values) if (Number.isFinite(Number(v))) entry.times.push(t);
    byKey.set(key, entry);
  }
  const out: FiredAlert[] = [];
  for (const { labels, times } of byKey.values()) {
    if (times.length === 0) continue;
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    const intervals: FiredAlert['intervals'] = [];
    for (const t of sorted) {
      const last = intervals.at(-1);
      if (last && t - (last.end - stepSeconds) <= stepSeconds) last.end = t + stepSeconds;
      else intervals.push({ start: t, end: t + stepSeconds });
    }
    out.push({
      alertname: labels.alertname ?? 'unnamed',
      ...(labels.instance !== undefined && { instance: labels.instance }),
      ...(labels.severity !== undefined && { severity: labels.severity }),
      labels,
      intervals,
      first_firing: sorted[0] as number,
      last_firing: sorted.at(-1) as number,
      firing_seconds: intervals.reduce((a, i) => a + i.end - i.start, 0),
    });
  }
  return out.sort(
    (a, b) =>
      a.first_firing - b.first_firing ||
      a.alertname.localeCompare(b.alertname) ||
      (a.instance ?? '').localeCompare(b.instance ?? ''),
  );
}

/** The alerts that fired in [start, end), from Prometheus' own ALERTS series. */
export async function fetchFiredAlerts(
  target: PrometheusTarget,
  window: { start: number; end: number },
): Promise<FiredAlert[]> {
  const series = await queryRange(target, ALERTS_QUERY, {
    start: window.start,
    end: window.end - ALERTS_STEP_SECONDS,
    stepSeconds: ALERTS_STEP_SECONDS,
  });
  return firedAlerts(series, ALERTS_STEP_SECONDS);
}
