import { timeWeightedMean } from './energy.ts';
import type { Series, Step } from './grid.ts';
import type { Machine } from './scenario.ts';

/** What a machine costs besides energy, and how much work it does for it. */

const SECONDS_PER_YEAR = 365.25 * 24 * 3600;
const SECONDS_PER_HOUR = 3600;

/**
 * (purchase − salvage) / lifetime + upkeep, per year, for `seconds` of the machine's life. A purchase
 * price without a lifetime cannot be spread and counts nothing (the report warns); salvage above the
 * price counts as no capital cost, not a gain.
 */
export function amortisation(machine: Machine, seconds: number): number {
  const capitalPerYear =
    machine.purchase_price !== undefined && machine.lifetime_years !== undefined
      ? Math.max(0, machine.purchase_price - (machine.salvage_value ?? 0)) / machine.lifetime_years
      : 0;
  return (capitalPerYear + (machine.upkeep_per_year ?? 0)) * (seconds / SECONDS_PER_YEAR);
}

/**
 * Mean cores used ÷ cores, over the steps (matching `include`) where its workloads have CPU data; in
 * score-cores that is the same ratio, both sides scaled by the machine's speed score. Undefined where
 * there is no such step.
 */
export function utilisation(
  machine: Machine,
  usedCores: Series,
  steps: readonly Step[],
  include?: (step: Step) => boolean,
): number | undefined {
  const mean = timeWeightedMean(usedCores, steps, include);
  return mean === undefined ? undefined : mean / machine.cpu_cores;
}

/** CPU work done over the window in score-core-hours: Σ cores used × speed score × hours, known steps only. */
export function scoreCoreHours(machine: Machine, usedCores: Series, steps: readonly Step[]): number {
  let hours = 0;
  steps.forEach((step, i) => {
    hours += ((usedCores[i] ?? 0) * (step.end - step.start)) / SECONDS_PER_HOUR;
  });
  return hours * machine.speed_score;
}
