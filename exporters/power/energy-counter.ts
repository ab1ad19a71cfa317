/**
 * A device's raw energy counter made into what Prometheus expects of a `_joules_total`: monotonic for
 * as long as the agent runs, whatever the device does. RAPL's counter wraps at max_energy_range_uj (a
 * busy desktop package every hour or so); other counters restart from zero when their device does.
 * Power is the energy between two readings over the time between them, so it needs two readings.
 */
export class EnergyCounter {
  private last: { joules: number; atMs: number } | undefined;
  private total = 0;
  private watts: number | undefined;

  /** `wrapJoules`: where the raw counter wraps to 0; without it, a drop is a restart of the device. */
  constructor(private readonly wrapJoules?: number) {}

  update(rawJoules: number, atMs: number): void {
    const last = this.last;
    this.last = { joules: rawJoules, atMs };
    if (last === undefined) {
      // The first reading counts whole, as node_exporter's counters do: energy since the device began.
      this.total = rawJoules;
      return;
    }
    let delta = rawJoules - last.joules;
    if (delta < 0) delta = this.wrapJoules === undefined ? rawJoules : delta + this.wrapJoules;
    this.total += delta;
    const seconds = (atMs - last.atMs) / 1000;
    if (seconds > 0) this.watts = delta / seconds;
  }

  get joules(): number {
    return this.total;
  }

  /** Undefined until two readings were made. */
  get power(): number | undefined {
    return this.watts;
  }
}

/**
 * Energy for sources that give only power (a battery, the PMIC, the model): the trapezoid between
 * successive readings. It starts at 0 with the agent, and a gap (`restart`) is not bridged.
 */
export class PowerIntegrator {
  private last: { watts: number; atMs: number } | undefined;
  private total = 0;

  add(watts: number, atMs: number): void {
    if (this.last && atMs > this.last.atMs)
      this.total += ((this.last.watts + watts) / 2) * ((atMs - this.last.atMs) / 1000);
    if (!this.last || atMs > this.last.atMs) this.last = { watts, atMs };
  }

  /** Forgets the last reading: the time until the next one was not measured (on AC, sensor down). */
  restart(): void {
    this.last = undefined;
  }

  get joules(): number {
    return this.total;
  }
}
