import type { Gap } from './cost-report.ts';
import type { Series, Step } from './grid.ts';

/**
 * Integrals of a power series over the priced grid. A missing sample is no data, never zero: it adds
 * nothing to the energy and shows up in the coverage and gaps instead.
 */

export interface Energy {
  kwh: number;
  cost: number;
  /** Undefined where some covered step has no carbon intensity. */
  carbon_g: number | undefined;
}

/** ∫ P(t)·price(t) dt with P held over each step: energy, money and carbon of the covered steps. */
export function integrate(watts: Series, steps: readonly Step[]): Energy {
  let kwh = 0;
  let cost = 0;
  let carbon: number | undefined = 0;
  steps.forEach((step, i) => {
    const w = watts[i] ?? null;
    if (w === null) return;
    kwh += w * step.kwh_per_watt;
    cost += w * step.cost_per_watt;
    carbon =
      carbon === undefined || step.carbon_g_per_watt === undefined
        ? undefined
        : carbon + w * step.carbon_g_per_watt;
  });
  return { kwh, cost, carbon_g: carbon };
}

export interface Coverage {
  /** Share of the window's time with a sample, 0–1. */
  coverage: number;
  /** Maximal runs of steps without one. */
  gaps: Gap[];
}

export function coverageOf(watts: Series, steps: readonly Step[]): Coverage {
  const gaps: Gap[] = [];
  let covered = 0;
  let total = 0;
  steps.forEach((step, i) => {
    total += step.end - step.start;
    if ((watts[i] ?? null) !== null) {
      covered += step.end - step.start;
      return;
    }
    const last = gaps.at(-1);
    if (last?.end === step.start) last.end = step.end;
    else gaps.push({ start: step.start, end: step.end });
  });
  return { coverage: total > 0 ? covered / total : 0, gaps };
}

/** Mean of the known values, each weighted by its step's length; undefined where none is known. */
export function timeWeightedMean(
  values: Series,
  steps: readonly Step[],
  include: (step: Step) => boolean = () => true,
): number | undefined {
  let sum = 0;
  let seconds = 0;
  steps.forEach((step, i) => {
    const v = values[i] ?? null;
    if (v === null || !include(step)) return;
    sum += v * (step.end - step.start);
    seconds += step.end - step.start;
  });
  return seconds > 0 ? sum / seconds : undefined;
}
