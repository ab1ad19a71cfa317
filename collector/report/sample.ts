import type { CostReport, MachineCost } from '../../cost/cost-report.ts';
import type { PlacementPlan } from '../../cost/placement/types.ts';
import type { FiredAlert } from './alerts.ts';
import type { WeeklyReportInput } from './model.ts';
import { parseWeek, previousWeek } from './week.ts';

/**
 * A hand-made week (not computed: every figure is chosen, so tests can state the exact changes) of a
 * desktop that should go and a Pi with an hour missing, for the report's unit tests.
 */

export const SAMPLE_WEEK = parseWeek('2026-W13', 'Europe/Berlin');

const machine = (m: Partial<MachineCost> & Pick<MachineCost, 'name' | 'tier'>): MachineCost => ({
  coverage: 1,
  gaps: [],
  energy_kwh: 0,
  idle_kwh: 0,
  dynamic_kwh: 0,
  unattributed_kwh: 0,
  energy_cost: 0,
  amortisation: 0,
  total_cost: 0,
  utilisation: 0.2,
  verdict: 'earns-its-place',
  reason: 'Earns its place.',
  ...m,
});

export function sampleCosts(week = SAMPLE_WEEK, scale = 1): CostReport {
  const desk = machine({
    name: 'old-desktop',
    tier: 'legacy-desktop',
    power_source: 'plug',
    energy_kwh: 7.5 * scale,
    energy_cost: 2.1 * scale,
    amortisation: 0.5,
    total_cost: 2.1 * scale + 0.5,
    carbon_kg: 1.875 * scale,
    utilisation: 0.02,
    verdict: 'mostly-idle-consolidate',
    reason: 'Mostly idle: 2.0 % CPU utilisation; move its <workloads> & switch it off.',
  });
  const pi = machine({
    name: 'pi4',
    tier: 'pi',
    power_source: 'model',
    coverage: 166 / 167,
    gaps: [{ start: week.start, end: week.start + 3600 }],
    energy_kwh: 0.5 * scale,
    energy_cost: 0.14 * scale,
    total_cost: 0.14 * scale,
    carbon_kg: 0.125 * scale,
  });
  return {
    window: { start: week.start, end: week.end, hours: week.hours },
    currency: 'EUR',
    coverage: 0.999,
    confidence: 'ok',
    machines: [pi, desk],
    workloads: [
      {
        name: 'dns/pihole',
        kind: 'container',
        machine: 'pi4',
        cpu_kwh: 0.1,
        gpu_kwh: 0,
        idle_kwh: 0,
        energy_kwh: 0.1,
        energy_cost: 0.03,
      },
      {
        name: 'net/unifi|controller',
        kind: 'container',
        machine: 'old-desktop',
        cpu_kwh: 1,
        gpu_kwh: 0,
        idle_kwh: 0,
        energy_kwh: 1,
        energy_cost: 0.28,
      },
    ],
    idle: [],
    unattributed: [],
    totals: {
      energy_kwh: 8 * scale,
      energy_cost: 2.24 * scale,
      standing_charge: 3.5,
      amortisation: 0.5,
      total_cost: 2.24 * scale + 4,
      carbon_kg: 2 * scale,
    },
    warnings: ['pi4: power data covers 99.4 % of the window; 1 gap(s)'],
  };
}

export const SAMPLE_PLAN: PlacementPlan = {
  solver: 'milp',
  status: 'optimal',
  gap: 0,
  currency: 'EUR',
  current_weekly_cost: 6.24,
  planned_weekly_cost: 4.1,
  assignment: { 'dns/pihole': 'pi4', 'net/unifi|controller': 'pi4' },
  moves: [
    {
      workload: 'net/unifi|controller',
      from: 'old-desktop',
      to: 'pi4',
      saving_per_week: 0.2,
      saving_per_month: 0.87,
      net_saving_per_week: 2.14,
      net_saving_per_month: 9.3,
      reason: 'fits on pi4 with room to spare',
    },
  ],
  power_off: [{ machine: 'old-desktop', saving_per_week: 1.94, reason: 'nothing left on it' }],
  rightsizing: [],
  notes: ['dns/pihole stays on pi4: latency-sensitive'],
  confidence: 'ok',
};

export const SAMPLE_ALERTS: FiredAlert[] = [
  {
    alertname: 'NodeDown',
    instance: 'pi4',
    severity: 'critical',
    labels: { alertname: 'NodeDown', instance: 'pi4', severity: 'critical' },
    intervals: [{ start: SAMPLE_WEEK.start + 600, end: SAMPLE_WEEK.start + 4200 }],
    first_firing: SAMPLE_WEEK.start + 600,
    last_firing: SAMPLE_WEEK.start + 4140,
    firing_seconds: 3600,
  },
];

/** Power on a 5-minute grid: the desktop at 40 W, the Pi at 3 W but for its first hour. */
export function samplePower(week = SAMPLE_WEEK): WeeklyReportInput['power'] {
  const points = (week.hours * 3600) / 300;
  return {
    start: week.start,
    stepSeconds: 300,
    machines: [
      { name: 'old-desktop', tier: 'legacy-desktop', watts: new Float64Array(points).fill(40) },
      {
        name: 'pi4',
        tier: 'pi',
        watts: Float64Array.from({ length: points }, (_, i) => (i < 12 ? Number.NaN : 3)),
      },
    ],
  };
}

export function sampleInput(): WeeklyReportInput {
  const prev = previousWeek(SAMPLE_WEEK);
  return {
    week: SAMPLE_WEEK,
    previousWeek: prev,
    current: {
      costs: sampleCosts(),
      placement: SAMPLE_PLAN,
      warnings: ['gpu-box left out: no tierwise_node_cpu_cores in the window'],
    },
    previous: { costs: sampleCosts(prev, 1.25) },
    power: samplePower(),
    alerts: SAMPLE_ALERTS,
    source: 'http://prometheus.lan:9090',
    generatedAt: new Date('2026-03-30T06:00:00Z'),
  };
}
