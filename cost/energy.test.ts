import { describe, expect, it } from 'vitest';
import { coverageOf, integrate, timeWeightedMean } from './energy.ts';
import { buildGrid } from './grid.ts';
import { tariffSchema } from './scenario.ts';

const flat = tariffSchema.parse({ price_per_kwh: 0.25, carbon_g_per_kwh: 200 });
// Six 10-minute steps.
const steps = buildGrid({ start: 0, end: 3600, step_seconds: 600 }, flat);

describe('integrate', () => {
  it('counts only the covered steps, never a gap as zero watts', () => {
    // 2 samples × 100 W × 600 s = 120 000 J = 1/30 kWh; × 0.25 = 1/120; × 200 g = 20/3 g.
    const energy = integrate([null, 100, null, null, 100, null], steps);
    expect(energy.kwh).toBeCloseTo(1 / 30, 15);
    expect(energy.cost).toBeCloseTo(1 / 120, 15);
    expect(energy.carbon_g).toBeCloseTo(20 / 3, 12);
  });
});

describe('coverageOf', () => {
  it('reports the share of the window with data and each maximal run without', () => {
    expect(coverageOf([null, 100, null, null, 100, null], steps)).toEqual({
      coverage: 2 / 6,
      gaps: [
        { start: 0, end: 600 },
        { start: 1200, end: 2400 },
        { start: 3000, end: 3600 },
      ],
    });
  });

  it('weights a short last step by its length', () => {
    const uneven = buildGrid({ start: 0, end: 1000, step_seconds: 600 }, flat);
    // 600 s of 1000 covered.
    expect(coverageOf([7, null], uneven)).toEqual({ coverage: 0.6, gaps: [{ start: 600, end: 1000 }] });
    expect(coverageOf([], uneven)).toEqual({ coverage: 0, gaps: [{ start: 0, end: 1000 }] });
  });
});

describe('timeWeightedMean', () => {
  it('averages the known values, optionally over some steps only', () => {
    const values = [1, null, 3, 5, null, null];
    expect(timeWeightedMean(values, steps)).toBe(3);
    expect(timeWeightedMean(values, steps, (s) => s.start >= 1200)).toBe(4);
    expect(timeWeightedMean([null], steps)).toBeUndefined();
  });
});
