import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../common/config.ts';
import { silentLogger } from '../../../common/log.ts';
import { fitLinearProfile } from './fit.ts';
import { runLoadSteps } from './load-steps.ts';
import { collectorMeter } from './meter.ts';

describe('runLoadSteps', () => {
  it("drives this machine's CPUs through load levels and recovers a profile from what a source measured", async () => {
    // The meter is the agent's power model with the Pi 5 profile, read from this machine's real
    // /proc/stat while the steps run: a fit to its readings must give back the profile's idle and max.
    const config = defaultConfig().agent;
    config.power.profile = 'rpi-5';
    const meter = collectorMeter(
      { paths: { procfs: '/proc', sysfs: '/sys', rootfs: '/' }, config, log: silentLogger },
      'model',
    );
    const seen: number[] = [];
    const points = await runLoadSteps({
      levels: [0, 0.5, 1],
      stepSeconds: 2.5,
      settleSeconds: 0.5,
      sampleMs: 250,
      // One CPU is enough to spread the utilisation, and leaves the others to tests running beside.
      cpus: 1,
      meter,
      onStep: ({ point }) => point && seen.push(point.utilisation),
    });
    expect(points).toHaveLength(3);
    // The load reached differs between the steps (other tests share these CPUs, so not exactly 0/50/100).
    expect(Math.max(...seen) - Math.min(...seen)).toBeGreaterThan(0.2);
    const fit = fitLinearProfile(points);
    expect(fit.idleWatts).toBeCloseTo(2.8, 0);
    expect(fit.maxWatts).toBeCloseTo(9.7, 0);
  }, 30_000);

  it('names the sources it can measure with', () => {
    const ctx = {
      paths: { procfs: '/proc', sysfs: '/sys', rootfs: '/' },
      config: defaultConfig().agent,
      log: silentLogger,
    };
    expect(() => collectorMeter(ctx, 'gpu')).toThrow(
      /--source gpu cannot be read locally \(one of plug, rapl, hwmon, battery, pmic, model\)/,
    );
  });
});
