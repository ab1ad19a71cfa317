import { describe, expect, it } from 'vitest';
import { buildCostModel, machinesOn, machinesOnNow, weeklyAveragePrice, weeklyCost } from './model.ts';
import { type ScenarioInput, scenarioSchema, tariffSchema } from './scenario.ts';

// Monday 2024-01-08 00:00 in London (UTC in winter).
const MONDAY = Date.UTC(2024, 0, 8) / 1000;

describe('weeklyAveragePrice', () => {
  it('weighs each band by the hours it holds over a week', () => {
    const tariff = tariffSchema.parse({
      timezone: 'Europe/London',
      price_per_kwh: 0.32,
      bands: [
        { days: ['sat', 'sun'], from: '00:00', to: '24:00', price_per_kwh: 0.1 },
        { from: '00:00', to: '06:00', price_per_kwh: 0.22 },
      ],
    });
    // Weekdays (6 h × 0.22 + 18 h × 0.32) / 24 = 0.295; the weekend band wins on Saturday and Sunday.
    const expected = (5 * 0.295 + 2 * 0.1) / 7;
    expect(weeklyAveragePrice(tariff, MONDAY)).toBeCloseTo(expected, 12);
    // Any week in winter averages the same, whichever weekday it starts on.
    expect(weeklyAveragePrice(tariff, MONDAY + 3 * 86_400 + 5 * 3600)).toBeCloseTo(expected, 12);
  });
});

const machine = (name: string, extra: Partial<ScenarioInput['machines'][number]> = {}) => ({
  name,
  tier: 't',
  arch: 'amd64',
  cpu_cores: 4,
  speed_score: 100,
  memory_bytes: 8 * 1024 ** 3,
  power: { idle_watts: 10, max_watts: 50, source: 'profile' as const },
  ...extra,
});

describe('buildCostModel and weeklyCost', () => {
  const model = buildCostModel(
    scenarioSchema.parse({
      window: { start: MONDAY, end: MONDAY + 86_400, step_seconds: 60 },
      tariff: { price_per_kwh: 0.25 },
      machines: [
        machine('a'),
        machine('b', { power_watts: [null, 12] }),
        machine('router', { always_on: true }),
        machine('what-if', { always_on: true, hypothetical: true }),
      ],
      workloads: [
        {
          name: 'w',
          kind: 'service',
          machine: 'a',
          cpu: { mean: 20, p95: 40, max: 60 },
          memory: { p95_bytes: 0, max_bytes: 0 },
        },
      ],
      options: { migration_cost: 2, payback_weeks: 4 },
    }),
  );
  // A watt for a week is 168 h × 0.25 / 1000 = 0.042; w adds 20 × 40 / 400 = 2 W.
  const perWattWeek = 0.042;

  it('prices idle power of machines that are on, workloads at their machine, and moves', () => {
    expect(model.idleCost[0]).toBeCloseTo(10 * perWattWeek, 12);
    expect(model.workloadCost[0]?.[0]).toBeCloseTo(2 * perWattWeek, 12);
    // Moving costs 2 / 4 = 0.5 a week on top.
    expect(model.workloadCost[0]?.[1]).toBeCloseTo(2 * perWattWeek + 0.5, 12);
    const onB = weeklyCost(model, [1]);
    expect(onB.total).toBeCloseTo((10 + 10 + 2) * perWattWeek + 0.5, 12);
    expect(onB.idle).toEqual([0, expect.any(Number), expect.any(Number), 0]);
  });

  it('keeps always-on machines on, and a what-if machine off unless used', () => {
    expect(machinesOn(model, [0])).toEqual([true, false, true, false]);
    expect(machinesOn(model, [3])).toEqual([false, false, true, true]);
  });

  it('counts a machine drawing power now as on now, even with nothing on it', () => {
    expect(machinesOnNow(model)).toEqual([true, true, true, false]);
  });
});
