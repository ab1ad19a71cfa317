import { EnergyCounter, PowerIntegrator } from '../energy-counter.ts';
import type { PlugSample } from './reading.ts';

/** Where a plug's energy total comes from: the device's own counter, or tierwise's integral of its power. */
export type EnergyMethod = 'meter' | 'integrated';

/**
 * A plug's energy as a Prometheus counter: monotonic for as long as the agent runs.
 *
 * With a device counter ("meter"): the first reading counts whole, then every increase is added; a drop
 * (a Shelly Gen1 reboot, a Tapo's new month, a Kasa whose statistics were erased) is a restart of the
 * device's counter, and its new value is added whole, as Prometheus's reset rule does.
 *
 * Without one ("integrated"): power is integrated over time by the trapezoid rule, from 0 at the first
 * reading. A gap between readings longer than `maxGapMs` (the plug did not answer for a while) is not
 * guessed at: the integral resumes from the next reading.
 *
 * Once a device counter has been seen the plug stays "meter"; a reading without one adds nothing.
 */
export class PlugEnergy {
  private readonly counter = new EnergyCounter();
  private readonly integrator = new PowerIntegrator();
  private lastPowerAtMs: number | undefined;
  private how: EnergyMethod | undefined;

  constructor(private readonly maxGapMs: number) {}

  update(sample: PlugSample, atMs: number): void {
    if (sample.energyJoules !== undefined) {
      this.counter.update(sample.energyJoules, atMs);
      this.how = 'meter';
    } else if (sample.watts !== undefined && this.how !== 'meter') {
      if (this.lastPowerAtMs !== undefined && atMs - this.lastPowerAtMs > this.maxGapMs)
        this.integrator.restart();
      // Power fed back (a meter on a solar inverter) must not make the counter go down.
      this.integrator.add(Math.max(0, sample.watts), atMs);
      this.lastPowerAtMs = atMs;
      this.how = 'integrated';
    }
  }

  /** Undefined until a reading had energy or power. */
  get total(): { joules: number; method: EnergyMethod } | undefined {
    if (this.how === undefined) return undefined;
    return { joules: this.how === 'meter' ? this.counter.joules : this.integrator.joules, method: this.how };
  }
}
