import { describe, expect, it } from 'vitest';
import { buildGrid } from './grid.ts';
import { amortisation, scoreCoreHours, utilisation } from './machine-costs.ts';
import { machineSchema, tariffSchema } from './scenario.ts';

const WEEK = 7 * 24 * 3600;
const machine = (extra: object) =>
  machineSchema.parse({
    name: 'nuc',
    tier: 'main',
    arch: 'amd64',
    cpu_cores: 4,
    speed_score: 1.5,
    memory_bytes: 16e9,
    power: { idle_watts: 6, max_watts: 40, source: 'calibrated' },
    ...extra,
  });

describe('amortisation', () => {
  it('spreads purchase less salvage over the lifetime, plus upkeep, by the window’s share of a year', () => {
    // (1000 − 100) / 3 = 300 a year, + 52 upkeep = 352 a year; a week is 7 / 365.25 of a year.
    const m = machine({ purchase_price: 1000, salvage_value: 100, lifetime_years: 3, upkeep_per_year: 52 });
    expect(amortisation(m, WEEK)).toBeCloseTo((352 * 7) / 365.25, 12);
  });

  it('counts no capital without a lifetime, and none when salvage exceeds the price', () => {
    expect(amortisation(machine({ purchase_price: 1000, upkeep_per_year: 36.525 }), WEEK)).toBeCloseTo(
      0.7,
      12,
    );
    expect(amortisation(machine({ purchase_price: 100, salvage_value: 150, lifetime_years: 2 }), WEEK)).toBe(
      0,
    );
    expect(amortisation(machine({}), WEEK)).toBe(0);
  });
});

describe('utilisation and scoreCoreHours', () => {
  const steps = buildGrid(
    { start: 0, end: 4 * 3600, step_seconds: 3600 },
    tariffSchema.parse({ price_per_kwh: 0 }),
  );
  const cores = [1, 3, null, 0];

  it('is the mean cores used over the steps with data, over the cores it has', () => {
    // (1 + 3 + 0) / 3 steps = 4/3 cores of 4.
    expect(utilisation(machine({}), cores, steps)).toBeCloseTo(1 / 3, 15);
    expect(utilisation(machine({}), cores, steps, (s) => s.start < 3600)).toBe(0.25);
    expect(utilisation(machine({}), [null, null, null, null], steps)).toBeUndefined();
  });

  it('counts work in score-core-hours', () => {
    // 4 core-hours × speed score 1.5.
    expect(scoreCoreHours(machine({}), cores, steps)).toBe(6);
  });
});
