import {
  knownSamples,
  type Machine,
  type Samples,
  type Scenario,
  type Tariff,
  type Workload,
} from './scenario.ts';
import { assertTimeZone, priceSegments } from './tariff.ts';

/**
 * The weekly cost of a placement: every figure placement reports (the MILP's objective, the greedy
 * plan, the current placement, each move's saving) comes from this one model, so they always agree.
 *
 * A machine that is on costs its idle power all week; a workload costs the dynamic power its CPU work
 * draws at its machine's marginal efficiency, plus its GPU power on a GPU machine; a move costs the
 * owner's migration effort spread over the payback period.
 */

const HOURS_PER_WEEK = 168;
export const WEEKS_PER_MONTH = 365.25 / 12 / 7;

const SECONDS_PER_WEEK = HOURS_PER_WEEK * 3600;

/**
 * The tariff's time-weighted price over the week from `start`: a plan holds for weeks to come, and a
 * whole week weighs every weekday's bands (and a daylight-saving change in it) as they fall.
 */
export function weeklyAveragePrice(tariff: Tariff, start: number): number {
  const segments = priceSegments(tariff, start, start + SECONDS_PER_WEEK);
  return segments.reduce((sum, s) => sum + s.price_per_kwh * (s.end - s.start), 0) / SECONDS_PER_WEEK;
}

/** Mean of a series' known samples; undefined when it has none (unknown is not zero). */
function seriesMean(series: Samples | undefined): number | undefined {
  const known = knownSamples(series);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0) / known.length;
}

/** Watts one score-core of work adds on this machine: its dynamic range over its capacity. */
function wattsPerScoreCore(m: Machine): number {
  return (m.power.max_watts - m.power.idle_watts) / (m.cpu_cores * m.speed_score);
}

/**
 * The GPU power a workload draws on a GPU machine. The scenario has no per-GPU power figures, so this
 * is the workload's measured mean GPU power wherever it runs; undefined when it was never measured.
 */
export function gpuWatts(w: Workload): number | undefined {
  return w.gpu === undefined ? undefined : seriesMean(w.gpu_watts);
}

/** The power a workload adds to a machine, in watts (CPU at the machine's efficiency, plus GPU). */
export function workloadWatts(w: Workload, m: Machine): number {
  const gpu = m.gpus.length > 0 ? (gpuWatts(w) ?? 0) : 0;
  return w.cpu.mean * wattsPerScoreCore(m) + gpu;
}

/** On whatever it hosts: the owner keeps it on. A what-if machine is only on when placement uses it. */
function forcedOn(m: Machine): boolean {
  return !m.hypothetical && (m.always_on || !m.may_power_off);
}

export interface CostModel {
  currency: string;
  machines: readonly Machine[];
  workloads: readonly Workload[];
  /** Per workload, the index of the machine it runs on now. */
  current: readonly number[];
  /** Per machine, what being on costs a week (its idle power). */
  idleCost: readonly number[];
  forcedOn: readonly boolean[];
  /** Per machine, whether it draws power now with nothing placement counts on it (measured above 0 W). */
  poweredNow: readonly boolean[];
  /** [workload][machine]: what the workload costs a week on that machine, migration included. */
  workloadCost: readonly (readonly number[])[];
}

export function buildCostModel(scenario: Scenario): CostModel {
  assertTimeZone(scenario.tariff);
  const price = weeklyAveragePrice(scenario.tariff, scenario.window.start);
  const perWatt = (HOURS_PER_WEEK / 1000) * price;
  const index = new Map(scenario.machines.map((m, i) => [m.name, i]));
  const current = scenario.workloads.map((w) => index.get(w.machine) ?? -1);
  const migration = scenario.options.migration_cost / scenario.options.payback_weeks;
  return {
    currency: scenario.tariff.currency,
    machines: scenario.machines,
    workloads: scenario.workloads,
    current,
    idleCost: scenario.machines.map((m) => m.power.idle_watts * perWatt),
    forcedOn: scenario.machines.map(forcedOn),
    poweredNow: scenario.machines.map((m) => !m.hypothetical && (m.power_watts?.some((v) => v > 0) ?? false)),
    workloadCost: scenario.workloads.map((w, wi) =>
      scenario.machines.map((m, mi) => workloadWatts(w, m) * perWatt + (mi === current[wi] ? 0 : migration)),
    ),
  };
}

/** A machine is on when it hosts a workload or its owner keeps it on. */
export function machinesOn(model: CostModel, assignment: readonly number[]): boolean[] {
  const on = [...model.forcedOn];
  for (const m of assignment) on[m] = true;
  return on;
}

/** Now, a machine also counts as on when it draws power with nothing on it: switching it off saves. */
export function machinesOnNow(model: CostModel): boolean[] {
  return machinesOn(model, model.current).map((on, m) => on || (model.poweredNow[m] ?? false));
}

export interface WeeklyCost {
  total: number;
  /** Per workload, on its machine in the assignment. */
  workloads: number[];
  /** Per machine, its idle cost when on, else 0. */
  idle: number[];
}

export function weeklyCost(
  model: CostModel,
  assignment: readonly number[],
  on: readonly boolean[] = machinesOn(model, assignment),
): WeeklyCost {
  const workloads = assignment.map((m, w) => model.workloadCost[w]?.[m] ?? Number.NaN);
  const idle = model.idleCost.map((cost, m) => (on[m] ? cost : 0));
  const total = workloads.reduce((a, b) => a + b, 0) + idle.reduce((a, b) => a + b, 0);
  return { total, workloads, idle };
}
