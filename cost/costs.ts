import { attribute, type WorkloadLines } from './attribution.ts';
import type { CostReport, Gap, MachineCost, WorkloadCost } from './cost-report.ts';
import { coverageOf, type Energy, integrate } from './energy.ts';
import { kwh, percent } from './format.ts';
import { buildGrid, onGrid, type Step } from './grid.ts';
import { amortisation, scoreCoreHours, utilisation } from './machine-costs.ts';
import type { Machine, Scenario, Tariff, Workload } from './scenario.ts';
import { assertTimeZone, localDayCount, minutesOfDay } from './tariff.ts';
import { usedCores, workloadUsage } from './usage.ts';
import { judge, offHoursSteps } from './verdict.ts';

/**
 * What each machine and workload cost over the scenario's window (docs/cost-model.md). Machines marked
 * hypothetical are not bought yet and are left out, with the workloads on them.
 */

interface Context {
  scenario: Scenario;
  steps: readonly Step[];
  offHours: ReadonlySet<Step>;
  /** Whether the tariff gives a carbon intensity for the whole window. */
  carbon: boolean;
}

interface Line {
  machine: string;
  kwh: number;
  cost: number;
}

interface CostedMachine {
  machine: MachineCost;
  workloads: WorkloadCost[];
  idle: Line;
  unattributed: Line;
  /** The machine's weight in the report's coverage: its mean power, measured or expected. */
  weight_watts: number;
  warnings: string[];
}

const SECONDS_PER_HOUR = 3600;

const hours = (gap: Gap): number => (gap.end - gap.start) / SECONDS_PER_HOUR;
const iso = (t: number): string => new Date(t * 1000).toISOString();

function machineWarnings(m: Machine, coverage: number, gaps: Gap[], unattributed: Energy): string[] {
  const warnings: string[] = [];
  if (coverage === 0)
    warnings.push(`${m.name}: no power data in the window; its energy and cost are unknown, not zero`);
  else if (gaps.length > 0) {
    const longest = gaps.reduce((a, b) => (hours(b) > hours(a) ? b : a));
    warnings.push(
      `${m.name}: power data covers ${percent(coverage)} of the window; ${gaps.length} gap(s), the longest ${hours(longest).toFixed(1)} h from ${iso(longest.start)}`,
    );
  }
  if (unattributed.kwh > 0)
    warnings.push(
      `${m.name}: ${kwh(unattributed.kwh)} above idle is unattributed (no workload CPU data at those steps)`,
    );
  if (m.purchase_price !== undefined && m.lifetime_years === undefined)
    warnings.push(`${m.name}: purchase_price without lifetime_years is not amortised`);
  return warnings;
}

function costMachine(m: Machine, workloads: readonly Workload[], ctx: Context): CostedMachine {
  const { scenario, steps, offHours } = ctx;
  const n = steps.length;
  const seconds = scenario.window.end - scenario.window.start;
  const power = onGrid(m.power_watts, n);
  const { coverage, gaps } = coverageOf(power, steps);
  const usages = workloads.map((w) => workloadUsage(w, m, n));
  const split = attribute(power, m.power.idle_watts, usages, scenario.options.idle_share);

  const energy = integrate(power, steps);
  const idleDraw = integrate(split.idle_draw, steps);
  const idleLine = integrate(split.idle, steps);
  const unattributed = integrate(split.unattributed, steps);
  const offHoursEnergy = integrate(
    steps.map((step, i) => (offHours.has(step) ? (power[i] ?? null) : null)),
    steps,
  );

  const cores = usedCores(usages, n);
  const used = utilisation(m, cores, steps) ?? 0;
  const amortised = amortisation(m, seconds);
  const total = energy.cost + amortised;
  const work = scoreCoreHours(m, cores, steps);
  const costPerWork = work > 0 ? total / work : undefined;
  const { verdict, reason } = judge({
    machine: m,
    timezone: scenario.tariff.timezone,
    currency: scenario.tariff.currency,
    coverage,
    energy_kwh: energy.kwh,
    idle_kwh: idleDraw.kwh,
    utilisation: used,
    on_hours_utilisation: utilisation(m, cores, steps, (s) => !offHours.has(s)),
    off_hours_utilisation: utilisation(m, cores, steps, (s) => offHours.has(s)),
    off_hours_kwh: offHoursEnergy.kwh,
    off_hours_cost: offHoursEnergy.cost,
    amortisation: amortised,
    cost_per_work_unit: costPerWork,
  });

  const machine: MachineCost = {
    name: m.name,
    tier: m.tier,
    coverage,
    gaps,
    ...(m.power_source !== undefined && { power_source: m.power_source }),
    energy_kwh: energy.kwh,
    idle_kwh: idleDraw.kwh,
    dynamic_kwh: energy.kwh - idleDraw.kwh,
    unattributed_kwh: unattributed.kwh,
    energy_cost: energy.cost,
    amortisation: amortised,
    total_cost: total,
    ...(ctx.carbon && energy.carbon_g !== undefined && { carbon_kg: energy.carbon_g / 1000 }),
    utilisation: used,
    ...(costPerWork !== undefined && { cost_per_work_unit: costPerWork }),
    verdict,
    reason,
  };
  const costedWorkloads = workloads.map((w, i): WorkloadCost => {
    const lines = split.workloads[i] as WorkloadLines;
    const cpu = integrate(lines.cpu, steps);
    const gpu = integrate(lines.gpu, steps);
    const idle = integrate(lines.idle, steps);
    return {
      name: w.name,
      kind: w.kind,
      ...(w.namespace !== undefined && { namespace: w.namespace }),
      machine: m.name,
      cpu_kwh: cpu.kwh,
      gpu_kwh: gpu.kwh,
      idle_kwh: idle.kwh,
      energy_kwh: cpu.kwh + gpu.kwh + idle.kwh,
      energy_cost: cpu.cost + gpu.cost + idle.cost,
    };
  });
  const coveredHours = (coverage * seconds) / SECONDS_PER_HOUR;
  return {
    machine,
    workloads: costedWorkloads,
    idle: { machine: m.name, kwh: idleLine.kwh, cost: idleLine.cost },
    unattributed: { machine: m.name, kwh: unattributed.kwh, cost: unattributed.cost },
    weight_watts:
      coverage > 0 ? (energy.kwh * 1000) / coveredHours : (m.power.idle_watts + m.power.max_watts) / 2,
    warnings: machineWarnings(m, coverage, gaps, unattributed),
  };
}

function tariffWarnings(tariff: Tariff, carbon: boolean): string[] {
  const warnings = tariff.bands.flatMap((b, i) =>
    minutesOfDay(b.from) >= minutesOfDay(b.to)
      ? [
          `tariff.bands.${i}: from ${b.from} is not before to ${b.to}, so it never applies (a night band is two bands)`,
        ]
      : [],
  );
  const carbonGiven =
    tariff.carbon_g_per_kwh !== undefined || tariff.bands.some((b) => b.carbon_g_per_kwh !== undefined);
  if (carbonGiven && !carbon)
    warnings.push(
      'tariff: no carbon intensity for part of the window (set tariff.carbon_g_per_kwh as the default); carbon is not reported',
    );
  return warnings;
}

/** Share of machine-time with power data, each machine weighted by its mean power. */
function reportCoverage(costed: readonly CostedMachine[]): number {
  if (costed.length === 0) return 0;
  const weight = costed.reduce((a, c) => a + c.weight_watts, 0);
  return weight > 0
    ? costed.reduce((a, c) => a + c.machine.coverage * c.weight_watts, 0) / weight
    : costed.reduce((a, c) => a + c.machine.coverage, 0) / costed.length;
}

export function computeCosts(scenario: Scenario): CostReport {
  const { window, tariff, options } = scenario;
  assertTimeZone(tariff);
  const steps = buildGrid(window, tariff);
  const ctx: Context = {
    scenario,
    steps,
    offHours: offHoursSteps(tariff.timezone, steps),
    carbon: steps.every((s) => s.carbon_g_per_watt !== undefined),
  };
  const costed = scenario.machines
    .filter((m) => !m.hypothetical)
    .map((m) =>
      costMachine(
        m,
        scenario.workloads.filter((w) => w.machine === m.name),
        ctx,
      ),
    );

  const sum = (pick: (c: CostedMachine) => number): number => costed.reduce((a, c) => a + pick(c), 0);
  const energyKwh = sum((c) => c.machine.energy_kwh);
  const energyCost = sum((c) => c.machine.energy_cost);
  const standingCharge = tariff.standing_charge_per_day * localDayCount(tariff, window.start, window.end);
  const amortised = sum((c) => c.machine.amortisation);
  const coverage = reportCoverage(costed);
  const confidence = coverage < options.min_coverage ? 'low' : 'ok';

  const warnings = [...tariffWarnings(tariff, ctx.carbon), ...costed.flatMap((c) => c.warnings)];
  if (confidence === 'low')
    warnings.push(
      `coverage ${percent(coverage)} is under options.min_coverage ${percent(options.min_coverage)}: the figures are low-confidence`,
    );

  return {
    window: { start: window.start, end: window.end, hours: (window.end - window.start) / SECONDS_PER_HOUR },
    currency: tariff.currency,
    coverage,
    confidence,
    machines: costed.map((c) => c.machine),
    workloads: costed.flatMap((c) => c.workloads),
    idle: costed.map((c) => c.idle),
    unattributed: costed.map((c) => c.unattributed).filter((line) => line.kwh > 0),
    totals: {
      energy_kwh: energyKwh,
      energy_cost: energyCost,
      standing_charge: standingCharge,
      amortisation: amortised,
      total_cost: energyCost + standingCharge + amortised,
      ...(tariff.export_price_per_kwh !== undefined && {
        export_offset: energyCost - energyKwh * tariff.export_price_per_kwh,
      }),
      ...(ctx.carbon && { carbon_kg: sum((c) => c.machine.carbon_kg ?? 0) }),
    },
    warnings,
  };
}
