import type { RangeSeries } from '../../common/prometheus-client.ts';
import { knownSamples, type Samples } from '../../cost/scenario.ts';

/**
 * The scenario's time grid: `points` samples at start, start + step, …, each standing for the step
 * that follows it. Every series the advisor builds is a Float64Array on this grid, NaN where there was
 * no data: a gap is never a zero (STYLE.md).
 */
export interface Grid {
  start: number;
  stepSeconds: number;
  points: number;
}

export type GridSeries = Samples;

/** A series on the grid with no data yet. */
export const emptySeries = (grid: Grid): GridSeries => new Float64Array(grid.points).fill(Number.NaN);

/** No sample at this point (NaN), or past the series' end. */
export const isGap = (v: number | undefined): boolean => v === undefined || Number.isNaN(v);

/** The grid for the `windowSeconds` before `now`, its ends on multiples of the step (VictoriaMetrics aligns them so too). */
export function gridEndingAt(nowSeconds: number, windowSeconds: number, stepSeconds: number): Grid {
  const end = Math.floor(nowSeconds / stepSeconds) * stepSeconds;
  const points = Math.max(1, Math.floor(windowSeconds / stepSeconds));
  return { start: end - points * stepSeconds, stepSeconds, points };
}

export const gridEnd = (g: Grid) => g.start + g.points * g.stepSeconds;

/**
 * Writes a range query's values into `out`, a series on the grid, leaving its other points be; NaN,
 * ±Inf and points off the grid are no data.
 */
export function putOnGrid(grid: Grid, out: GridSeries, values: RangeSeries['values']): void {
  for (const [t, text] of values) {
    const i = Math.round((t - grid.start) / grid.stepSeconds);
    const v = Number(text);
    if (i >= 0 && i < grid.points && Number.isFinite(v)) out[i] = v;
  }
}

/** Pointwise sum where either has data; no data only where neither has. */
export function addSeries(a: GridSeries, b: GridSeries): GridSeries {
  return a.map((x, i) => {
    const y = b[i] ?? Number.NaN;
    if (Number.isNaN(y)) return x;
    return Number.isNaN(x) ? y : x + y;
  });
}

export const scaleSeries = (s: GridSeries, factor: number): GridSeries => s.map((v) => v * factor);

/** Share of the grid with data, 0–1. */
export const coverage = (s: GridSeries): number => (s.length === 0 ? 0 : knownSamples(s).length / s.length);

export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** The q-quantile (0–1) by linear interpolation between order statistics, as numpy's default. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function max(values: readonly number[]): number | undefined {
  let m: number | undefined;
  for (const v of values) if (m === undefined || v > m) m = v;
  return m;
}

/** Index of the last point with data, -1 when none. */
export function lastIndex(s: GridSeries): number {
  for (let i = s.length - 1; i >= 0; i--) if (!isGap(s[i])) return i;
  return -1;
}
