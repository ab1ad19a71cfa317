import { describe, expect, it } from 'vitest';
import { buildGrid, onGrid } from './grid.ts';
import { samplesFromJson, tariffSchema } from './scenario.ts';

const at = (iso: string): number => Date.parse(iso) / 1000;

describe('buildGrid', () => {
  it('gives one step per sample, the last cut at the window end', () => {
    const steps = buildGrid(
      { start: 0, end: 1000, step_seconds: 600 },
      tariffSchema.parse({ price_per_kwh: 0.36 }),
    );
    // 600 s and 400 s; one watt over 600 s is 600 J = 600 / 3.6e6 kWh, at 0.36 a kWh.
    expect(steps.map((s) => [s.start, s.end])).toEqual([
      [0, 600],
      [600, 1000],
    ]);
    expect(steps[0]?.kwh_per_watt).toBeCloseTo(600 / 3.6e6, 15);
    expect(steps[1]?.cost_per_watt).toBeCloseTo((400 * 0.36) / 3.6e6, 15);
    expect(steps[0]?.carbon_g_per_watt).toBeUndefined();
  });

  it('prices a step that straddles a band edge in parts', () => {
    const tariff = tariffSchema.parse({
      timezone: 'Europe/London',
      price_per_kwh: 0.3,
      carbon_g_per_kwh: 300,
      bands: [{ from: '00:00', to: '07:00', price_per_kwh: 0.1, carbon_g_per_kwh: 100 }],
    });
    const [step] = buildGrid(
      { start: at('2026-01-12T06:30Z'), end: at('2026-01-12T07:30Z'), step_seconds: 3600 },
      tariff,
    );
    // Half an hour at 0.10 and half at 0.30, per watt: (1800·0.1 + 1800·0.3) / 3.6e6; carbon alike.
    expect(step?.cost_per_watt).toBeCloseTo((1800 * 0.1 + 1800 * 0.3) / 3.6e6, 15);
    expect(step?.carbon_g_per_watt).toBeCloseTo((1800 * 100 + 1800 * 300) / 3.6e6, 12);
  });

  it('has no carbon for a step partly outside every intensity the tariff gives', () => {
    const tariff = tariffSchema.parse({
      price_per_kwh: 0.3,
      bands: [{ from: '00:00', to: '07:00', price_per_kwh: 0.1, carbon_g_per_kwh: 100 }],
    });
    const steps = buildGrid(
      { start: at('2026-01-12T06:00Z'), end: at('2026-01-12T08:00Z'), step_seconds: 1800 },
      tariff,
    );
    expect(steps.map((s) => s.carbon_g_per_watt === undefined)).toEqual([false, false, true, true]);
  });
});

describe('onGrid', () => {
  it('pads a short series with no data, drops samples past the grid, and reads negative noise as zero', () => {
    expect(onGrid(samplesFromJson([5, null, -0.2]), 4)).toEqual([5, null, 0, null]);
    expect(onGrid(samplesFromJson([1, 2, 3]), 2)).toEqual([1, 2]);
    expect(onGrid(undefined, 2)).toEqual([null, null]);
  });
});
