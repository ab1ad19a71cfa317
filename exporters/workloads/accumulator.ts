/**
 * Monotonic counters for workloads made of several cgroups (three replicas of one Deployment, a
 * compose service recreated). Summing the member cgroups' counters would go backwards whenever a member
 * stops, and Prometheus would read that as a reset and count the survivors' whole history again. So each
 * workload's counter grows by its members' increments since the last scrape, and a member seen for the
 * first time adds its whole value (the usage it had before it was first seen is real usage too).
 *
 * Several counters are kept side by side (CPU, I/O, PSI …) as one vector per member, NaN where a cgroup
 * has no such file: one map entry per member and scrape instead of one per counter.
 */
export class WorkloadCounters {
  private lastByWorkload: ReadonlyMap<string, ReadonlyMap<string, Float64Array>> = new Map();
  private totals = new Map<string, Float64Array>();

  constructor(private readonly width: number) {}

  /**
   * One scrape's readings: workload → (member cgroup → counter values). Returns workload → counters,
   * NaN for a counter none of its members has.
   */
  update(readings: ReadonlyMap<string, ReadonlyMap<string, Float64Array>>): Map<string, Float64Array> {
    const result = new Map<string, Float64Array>();
    for (const [workload, members] of readings) {
      const last = this.lastByWorkload.get(workload);
      const total = Float64Array.from(
        this.totals.get(workload) ?? new Float64Array(this.width).fill(Number.NaN),
      );
      for (const [member, values] of members) {
        const before = last?.get(member);
        for (let i = 0; i < this.width; i++) {
          const value = values[i] as number;
          if (Number.isNaN(value)) continue;
          const prior = before?.[i] ?? Number.NaN;
          const add = Number.isNaN(prior) || value < prior ? value : value - prior;
          total[i] = Number.isNaN(total[i] as number) ? add : (total[i] as number) + add;
        }
      }
      result.set(workload, total);
    }
    // Workloads gone this scrape lose their state: their series go stale, and a return starts afresh.
    this.lastByWorkload = readings;
    this.totals = result;
    return result;
  }
}
