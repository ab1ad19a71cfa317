import { describe, expect, it } from 'vitest';
import { tariffSchema } from '../../cost/scenario.ts';
import { SAMPLE_WEEK, sampleCosts } from '../report/sample.ts';
import { buildLiveView } from './live.ts';

const HOUR = 3600;
const tariff = tariffSchema.parse({
  currency: 'EUR',
  timezone: 'Europe/Berlin',
  price_per_kwh: 0.2,
  // Evenings dearer: "now" must be priced at the band it falls in.
  bands: [{ from: '17:00', to: '21:00', price_per_kwh: 0.5 }],
});

/** Two days into the week: the desktop reporting to the end, the Pi silent since its first day. */
function input(untilHours: number) {
  const points = (untilHours * HOUR) / 300;
  return {
    week: SAMPLE_WEEK,
    until: SAMPLE_WEEK.start + untilHours * HOUR,
    costs: sampleCosts(),
    power: {
      start: SAMPLE_WEEK.start,
      stepSeconds: 300,
      machines: [
        { name: 'old-desktop', tier: 'legacy-desktop', watts: new Float64Array(points).fill(40) },
        {
          name: 'pi4',
          tier: 'pi',
          watts: Float64Array.from({ length: points }, (_, i) => (i < 288 ? 3 : Number.NaN)),
        },
      ],
    },
    tariff,
  };
}

describe('the week so far', () => {
  it('prices the power now at the tariff’s band now, counting only machines heard from lately', () => {
    // 2026-W13 starts Monday 23 March 00:00 in Berlin (UTC+1): 48 h on is Wednesday 00:00, off-peak.
    const v = buildLiveView(input(48));
    expect(v.elapsedHours).toBe(48);
    expect(v.wattsNow).toBe(40);
    expect(v.pricePerKwh).toBe(0.2);
    expect(v.energyCostPerHourNow).toBeCloseTo(0.04 * 0.2, 12);
    expect(v.tiers).toEqual([
      { tier: 'legacy-desktop', wattsNow: 40, energyKwh: 7.5, totalCost: 2.6 },
      { tier: 'pi', wattsNow: null, energyKwh: 0.5, totalCost: 0.14 },
    ]);
    // Wednesday 18:00 local is in the evening band.
    expect(buildLiveView(input(66)).pricePerKwh).toBe(0.5);
  });

  it('scales the cost so far to the week’s own hours, not to 168', () => {
    const v = buildLiveView(input(48));
    expect(SAMPLE_WEEK.hours).toBe(167);
    expect(v.soFar.totalCost).toBeCloseTo(6.24, 12);
    expect(v.projectedWeekCost).toBeCloseTo((6.24 * 167) / 48, 12);
  });

  it('charts hourly means per tier up to now, with the silent hours as gaps', () => {
    const v = buildLiveView(input(48));
    const pi = v.power.tiers.find((t) => t.tier === 'pi')?.watts ?? [];
    expect(pi).toHaveLength(48);
    expect(pi.slice(0, 24).every((w) => w === 3)).toBe(true);
    expect(pi.slice(24).every((w) => w === null)).toBe(true);
  });

  it('has no power now when no machine was heard from in the last quarter hour', () => {
    const stale = input(48);
    const desk = stale.power.machines[0];
    if (desk) desk.watts = desk.watts.map((w, i, all) => (i >= all.length - 4 ? Number.NaN : w));
    const v = buildLiveView(stale);
    expect(v.wattsNow).toBeNull();
    expect(v.energyCostPerHourNow).toBeNull();
  });
});
