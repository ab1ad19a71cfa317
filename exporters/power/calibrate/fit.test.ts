import { describe, expect, it } from 'vitest';
import { specpowerPoints } from '../../../test/support/power-profiles.ts';
import { BUILT_IN_PROFILES } from '../profiles.ts';
import { fitLinearProfile, modelError } from './fit.ts';

const R240 = 'power_ssj2008-20190702-00979'; // Dell PowerEdge R240, Xeon E-2176G (profiles.csv #54)

describe('fitLinearProfile', () => {
  it('fits the R240 measured curve with a line, and says how far the line is from it', () => {
    const points = specpowerPoints(R240);
    const fit = fitLinearProfile(points);
    // The measured curve is convex (20 W idle, 41.7 W at half load, 93.1 W at full): the least-squares
    // line sits above idle and below the top, and misses by several watts somewhere.
    expect(fit.idleWatts).toBeGreaterThan(12);
    expect(fit.idleWatts).toBeLessThan(20);
    expect(fit.maxWatts).toBeGreaterThan(80);
    expect(fit.maxWatts).toBeLessThan(93.1);
    expect(fit.r2).toBeGreaterThan(0.9);
    expect(fit.error.maxAbsWatts).toBeGreaterThan(3);
    expect(fit.points).toBe(11);
    expect(fit.utilisationRange).toEqual([0, 1]);
  });

  it('recovers a straight line exactly', () => {
    const points = [0, 0.3, 0.6, 1].map((u) => ({ utilisation: u, watts: 2.8 + 6.9 * u }));
    const fit = fitLinearProfile(points);
    expect(fit.idleWatts).toBeCloseTo(2.8, 9);
    expect(fit.maxWatts).toBeCloseTo(9.7, 9);
    expect(fit.error.maxAbsWatts).toBeCloseTo(0, 9);
  });

  it('refuses points that all sit at one utilisation, and too few points', () => {
    const idle = [0.02, 0.03, 0.05, 0.04].map((u) => ({ utilisation: u, watts: 20 + u }));
    expect(() => fitLinearProfile(idle)).toThrow(/utilisation only spans 2–5 %/);
    expect(() => fitLinearProfile(idle.slice(0, 2))).toThrow(/at least 3 points/);
  });
});

describe('modelError', () => {
  it('puts the built-in R240 profile, its own curve, on the measured points', () => {
    const profile = BUILT_IN_PROFILES['small-server'];
    if (!profile) throw new Error('no small-server profile');
    expect(modelError(profile, specpowerPoints(R240)).maxAbsWatts).toBeCloseTo(0, 9);
  });
});
