/**
 * Monotonic counters for workloads made of several cgroups (three replicas of one Deployment, a
 * compose service recreated). Summing the member cgroups' counters would go backwards whenever a member
 * stops, and Prometheus would read that as a reset and count the survivors' whole history again. So each
 * workload's counter grows by its members' increments since the last scrape, and a member seen for the
 * first time adds its whole value (the usage it had before it was first seen is real usage too).
 *
 * Several counters are kept side by side (CPU, I/O, PSI …) as one vector per member, NaN where a cgroup
 * has no such file: one map entry per member and scrape instead of one per counter. Plain arrays, not
 * Float64Array: V8 allocates a typed array several times slower, and a scrape makes a thousand of them.
 */
export class WorkloadCounters {
  private lastByWorkload: ReadonlyMap<string, ReadonlyMap<string, number[]>> = new Map();
  private totals = new Map<string, number[]>();

  constructor(private readonly width: number) {}

  /**
   * One scrape's readings: workload → (member cgroup → counter values). Returns workload → counters,
   * NaN for a counter none of its members has.
   */
  update(readings: ReadonlyMap<string, ReadonlyMap<string, number[]>>): Map<string, number[]> {
    const result = new Map<string, number[]>();
    for (const [workload, members] of readings) {
      const last = this.lastByWorkload.get(workload);
      const total = this.totals.get(workload)?.slice() ?? new Array<number>(this.width).fill(Number.NaN);
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
