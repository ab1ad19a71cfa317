import { z } from 'zod';
import type { CostReport } from '../../cost/cost-report.ts';
import type { PlacementPlan } from '../../cost/placement/types.ts';
import type { Samples, Scenario } from '../../cost/scenario.ts';
import type { FiredAlert } from './alerts.ts';
import { hoursNote, type IsoWeek } from './week.ts';

/**
 * The weekly report as data: what the HTML, Markdown and JSON forms all show, and what the JSON form is
 * (collector/report/report.schema.json is generated from this schema). Money is in `currency`, energy in
 * kWh, instants in epoch seconds.
 */

const TOP_WORKLOADS = 10;
const SECONDS_PER_HOUR = 3600;

const weekSchema = z.strictObject({
  label: z.string().describe('ISO week, e.g. 2026-W47'),
  timezone: z.string(),
  start: z.number().describe('Monday 00:00 in the time zone, epoch seconds'),
  end: z.number().describe('the next Monday 00:00, epoch seconds (exclusive)'),
  hours: z.number().describe('168, or 167/169 across a clock change'),
});

/** A figure this week beside last week's; change is null where last week has no figure. */
const changeSchema = z.strictObject({
  value: z.number(),
  previous: z.number().nullable(),
  change: z.number().nullable().describe('value − previous'),
  change_ratio: z.number().nullable().describe('change / previous; null when previous is 0 or unknown'),
});

const verdictSchema = z.enum([
  'earns-its-place',
  'mostly-idle-consolidate',
  'power-off-off-hours',
  'no-data',
]);

export const weeklyReportSchema = z.strictObject({
  report_version: z.literal(1),
  title: z.string(),
  generated_at: z.string().describe('ISO 8601'),
  source: z.string().describe('where the data came from, e.g. the Prometheus URL'),
  week: weekSchema.extend({
    hours_note: z.string().optional().describe('why the week is not 168 hours'),
  }),
  previous_week: weekSchema.extend({ available: z.boolean().describe('whether it had data to compare') }),
  currency: z.string(),
  confidence: z.enum(['ok', 'low']).describe('low: figures are estimates, not a recommendation'),
  totals: z.strictObject({
    energy_kwh: changeSchema,
    energy_cost: changeSchema,
    total_cost: changeSchema.describe('energy, standing charge and amortisation'),
    carbon_kg: changeSchema.optional().describe('only where the tariff gives a carbon intensity'),
    standing_charge: z.number(),
    amortisation: z.number(),
  }),
  tiers: z.array(
    z.strictObject({
      tier: z.string(),
      machines: z.array(z.string()),
      energy_kwh: z.number(),
      total_cost: z.number(),
      previous_total_cost: z.number().nullable(),
      share_of_cost: z.number().describe('0–1 of the machines’ total cost'),
    }),
  ),
  machines: z.array(
    z.strictObject({
      name: z.string(),
      tier: z.string(),
      power_source: z.string().optional(),
      coverage: z.number(),
      energy_kwh: z.number(),
      energy_cost: z.number(),
      amortisation: z.number(),
      total_cost: z.number(),
      previous_total_cost: z.number().nullable(),
      carbon_kg: z.number().optional(),
      utilisation: z.number(),
      verdict: verdictSchema,
      reason: z.string(),
    }),
  ),
  top_workloads: z.array(
    z.strictObject({
      name: z.string(),
      kind: z.string(),
      machine: z.string(),
      energy_kwh: z.number(),
      energy_cost: z.number(),
    }),
  ),
  workload_count: z.number().int(),
  power: z
    .strictObject({
      start: z.number(),
      step_seconds: z.number(),
      tiers: z.array(
        z.strictObject({
          tier: z.string(),
          watts: z.array(z.number().nullable()).describe('mean per step; null where no machine had data'),
        }),
      ),
    })
    .describe('power per tier over the week, hourly means of its machines’ sum'),
  plan: z.strictObject({
    solver: z.enum(['milp', 'greedy']),
    status: z.enum(['optimal', 'time-limit', 'greedy-fallback', 'infeasible']),
    current_weekly_cost: z.number(),
    planned_weekly_cost: z.number(),
    saving_per_week: z.number(),
    moves: z.array(
      z.strictObject({
        workload: z.string(),
        from: z.string(),
        to: z.string(),
        saving_per_week: z.number().describe('with its share of the machines it helps empty'),
        saving_per_month: z.number(),
        reason: z.string(),
      }),
    ),
    power_off: z.array(
      z.strictObject({ machine: z.string(), saving_per_week: z.number(), reason: z.string() }),
    ),
    notes: z.array(z.string()),
  }),
  alerts: z.array(
    z.strictObject({
      alertname: z.string(),
      instance: z.string().optional(),
      severity: z.string().optional(),
      labels: z.record(z.string(), z.string()),
      first_firing: z.number(),
      last_firing: z.number(),
      firing_seconds: z.number(),
      intervals: z.array(z.strictObject({ start: z.number(), end: z.number() })),
    }),
  ),
  coverage: z.strictObject({
    share: z.number().describe('0–1 of machine-time with power data, weighted by energy'),
    machines: z.array(
      z.strictObject({
        name: z.string(),
        coverage: z.number(),
        gaps: z.array(z.strictObject({ start: z.number(), end: z.number() })),
      }),
    ),
    missing: z.array(z.string()).describe('what the figures rest on that was not there'),
  }),
  warnings: z.array(z.string()),
});

export type WeeklyReport = z.infer<typeof weeklyReportSchema>;

/** One week's answer from the cost model and placement (advise()'s costs and placement). */
export interface WeekFigures {
  costs: CostReport;
  placement: PlacementPlan;
  /** The scenario builder's notes: machines left out for want of data, and why. */
  warnings?: string[];
  /** Lost data means the figures are estimates, whatever the cost model said. */
  confidence?: 'ok' | 'low';
}

/** A machine's power on the scenario's grid (Scenario.machines[].power_watts). */
export interface MachinePower {
  name: string;
  tier: string;
  watts: Samples;
}

/** The measured machines' power on the scenario's grid, for the power-per-tier chart. */
export function scenarioPower(scenario: Scenario): WeeklyReportInput['power'] {
  return {
    start: scenario.window.start,
    stepSeconds: scenario.window.step_seconds,
    machines: scenario.machines
      .filter((m) => !m.hypothetical)
      .map((m) => ({ name: m.name, tier: m.tier, watts: m.power_watts ?? new Float64Array(0) })),
  };
}

export interface WeeklyReportInput {
  week: IsoWeek;
  previousWeek: IsoWeek;
  current: WeekFigures;
  /** The week before, for the changes only (its plan is never shown); undefined when it had no data. */
  previous?: Pick<WeekFigures, 'costs'>;
  power: { start: number; stepSeconds: number; machines: MachinePower[] };
  alerts: FiredAlert[];
  source: string;
  generatedAt: Date;
}

function change(value: number, previous: number | undefined): z.infer<typeof changeSchema> {
  if (previous === undefined) return { value, previous: null, change: null, change_ratio: null };
  const diff = value - previous;
  return { value, previous, change: diff, change_ratio: previous === 0 ? null : diff / previous };
}

/**
 * Sums each tier's machines and averages the sums per hour, so the chart and the JSON carry 168 points
 * per tier, not 2016. A machine without data at a step adds nothing there; a step no machine of the
 * tier has data for is no data, never zero.
 */
export function powerByTier(power: WeeklyReportInput['power'], week: IsoWeek): WeeklyReport['power'] {
  const hours = Math.round((week.end - week.start) / SECONDS_PER_HOUR);
  const tiers = [...new Set(power.machines.map((m) => m.tier))].sort();
  return {
    start: week.start,
    step_seconds: SECONDS_PER_HOUR,
    tiers: tiers.map((tier) => {
      const sums = new Array<number>(hours).fill(0);
      const counts = new Array<number>(hours).fill(0);
      const machines = power.machines.filter((m) => m.tier === tier);
      const steps = Math.max(0, ...machines.map((m) => m.watts.length));
      for (let i = 0; i < steps; i++) {
        const hour = Math.floor((power.start + i * power.stepSeconds - week.start) / SECONDS_PER_HOUR);
        if (hour < 0 || hour >= hours) continue;
        let sum: number | null = null;
        for (const m of machines) {
          const w = m.watts[i] ?? Number.NaN;
          if (!Number.isNaN(w)) sum = (sum ?? 0) + w;
        }
        if (sum === null) continue;
        sums[hour] = (sums[hour] ?? 0) + sum;
        counts[hour] = (counts[hour] ?? 0) + 1;
      }
      return { tier, watts: sums.map((s, h) => ((counts[h] ?? 0) === 0 ? null : s / (counts[h] ?? 1))) };
    }),
  };
}

const hoursText = (seconds: number) => `${(seconds / SECONDS_PER_HOUR).toFixed(1)} h`;

/** What the figures rest on that was missing, one line each for a person. */
function missingItems(costs: CostReport, warnings: readonly string[]): string[] {
  const left = warnings.filter((w) => / left out: /.test(w));
  const machines = costs.machines.flatMap((m) => {
    if (m.coverage === 0)
      return [`${m.name}: no power data all week; its energy and cost are unknown, not zero`];
    if (m.gaps.length === 0) return [];
    const longest = m.gaps.reduce((a, g) => (g.end - g.start > a.end - a.start ? g : a));
    return [
      `${m.name}: power data for ${(m.coverage * 100).toFixed(1)} % of the week; ${m.gaps.length} gap(s), the longest ${hoursText(longest.end - longest.start)} from ${new Date(longest.start * 1000).toISOString()}`,
    ];
  });
  return [...left, ...machines];
}

/** The plan as the report shows it: each move with its share of the machines it helps empty. */
export function reportPlan(placement: PlacementPlan): WeeklyReport['plan'] {
  return {
    solver: placement.solver,
    status: placement.status,
    current_weekly_cost: placement.current_weekly_cost,
    planned_weekly_cost: placement.planned_weekly_cost,
    saving_per_week: placement.current_weekly_cost - placement.planned_weekly_cost,
    moves: placement.moves.map((m) => ({
      workload: m.workload,
      from: m.from,
      to: m.to,
      saving_per_week: m.net_saving_per_week,
      saving_per_month: m.net_saving_per_month,
      reason: m.reason,
    })),
    power_off: placement.power_off.map((p) => ({ ...p })),
    notes: placement.notes,
  };
}

/**
 * The report's data from one week's costs and plan and the week before's (pure). The plan is the
 * week's own: the moves and switch-offs priced on this week's use.
 */
export function buildWeeklyReport(input: WeeklyReportInput): WeeklyReport {
  const { week, current, previous } = input;
  const { costs, placement } = current;
  const prev = previous?.costs;
  const prevMachine = new Map(prev?.machines.map((m) => [m.name, m]));
  const machinesTotal = costs.machines.reduce((a, m) => a + m.total_cost, 0);

  const tierNames = [...new Set(costs.machines.map((m) => m.tier))].sort();
  const tiers = tierNames.map((tier) => {
    const ms = costs.machines.filter((m) => m.tier === tier);
    const prevMs = prev?.machines.filter((m) => m.tier === tier) ?? [];
    const total = ms.reduce((a, m) => a + m.total_cost, 0);
    return {
      tier,
      machines: ms.map((m) => m.name),
      energy_kwh: ms.reduce((a, m) => a + m.energy_kwh, 0),
      total_cost: total,
      previous_total_cost: prevMs.length === 0 ? null : prevMs.reduce((a, m) => a + m.total_cost, 0),
      share_of_cost: machinesTotal === 0 ? 0 : total / machinesTotal,
    };
  });

  const carbon = costs.totals.carbon_kg;
  const note = hoursNote(week);
  const low = current.confidence === 'low' || costs.confidence === 'low' || placement.confidence === 'low';
  const warnings = [...new Set([...(current.warnings ?? []), ...costs.warnings])];
  return {
    report_version: 1,
    title: `tierwise weekly report ${week.label}`,
    generated_at: input.generatedAt.toISOString(),
    source: input.source,
    week: {
      label: week.label,
      timezone: week.timezone,
      start: week.start,
      end: week.end,
      hours: week.hours,
      ...(note !== undefined && { hours_note: note }),
    },
    previous_week: {
      label: input.previousWeek.label,
      timezone: input.previousWeek.timezone,
      start: input.previousWeek.start,
      end: input.previousWeek.end,
      hours: input.previousWeek.hours,
      available: prev !== undefined,
    },
    currency: costs.currency,
    confidence: low ? 'low' : 'ok',
    totals: {
      energy_kwh: change(costs.totals.energy_kwh, prev?.totals.energy_kwh),
      energy_cost: change(costs.totals.energy_cost, prev?.totals.energy_cost),
      total_cost: change(costs.totals.total_cost, prev?.totals.total_cost),
      ...(carbon !== undefined && { carbon_kg: change(carbon, prev?.totals.carbon_kg) }),
      standing_charge: costs.totals.standing_charge,
      amortisation: costs.totals.amortisation,
    },
    tiers,
    machines: [...costs.machines]
      .sort((a, b) => b.total_cost - a.total_cost || a.name.localeCompare(b.name))
      .map((m) => ({
        name: m.name,
        tier: m.tier,
        ...(m.power_source !== undefined && { power_source: m.power_source }),
        coverage: m.coverage,
        energy_kwh: m.energy_kwh,
        energy_cost: m.energy_cost,
        amortisation: m.amortisation,
        total_cost: m.total_cost,
        previous_total_cost: prevMachine.get(m.name)?.total_cost ?? null,
        ...(m.carbon_kg !== undefined && { carbon_kg: m.carbon_kg }),
        utilisation: m.utilisation,
        verdict: m.verdict,
        reason: m.reason,
      })),
    top_workloads: [...costs.workloads]
      .sort((a, b) => b.energy_cost - a.energy_cost || a.name.localeCompare(b.name))
      .slice(0, TOP_WORKLOADS)
      .map((w) => ({
        name: w.name,
        kind: w.kind,
        machine: w.machine,
        energy_kwh: w.energy_kwh,
        energy_cost: w.energy_cost,
      })),
    workload_count: costs.workloads.length,
    power: powerByTier(input.power, week),
    plan: reportPlan(placement),
    alerts: input.alerts.map((a) => ({
      alertname: a.alertname,
      ...(a.instance !== undefined && { instance: a.instance }),
      ...(a.severity !== undefined && { severity: a.severity }),
      labels: a.labels,
      first_firing: a.first_firing,
      last_firing: a.last_firing,
      firing_seconds: a.firing_seconds,
      intervals: a.intervals,
    })),
    coverage: {
      share: costs.coverage,
      machines: costs.machines.map((m) => ({ name: m.name, coverage: m.coverage, gaps: m.gaps })),
      missing: missingItems(costs, current.warnings ?? []),
    },
    warnings,
  };
}
