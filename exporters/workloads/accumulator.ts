/**
 * Monotonic counters for workloads made of several cgroups (three replicas of one Deployment, a
 * compose service recreated). Summing the member cgroups' counters would go backwards whenever a member
 * stops, and Prometheus would read that as a reset and count the survivors' whole history again. So each
 * workload's counter grows by its members' increments since the last scrape, and a member seen for the
 * first time adds its whole value (the usage it had before it was first seen is real usage too).
 */
export class WorkloadCounters {
  private lastByWorkload: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map();
  private totals = new Map<string, number>();

  /** One scrape's readings: workload → (member cgroup → counter value). Returns workload → counter. */
  update(readings: ReadonlyMap<string, ReadonlyMap<string, number>>): Map<string, number> {
    const result = new Map<string, number>();
    for (const [workload, members] of readings) {
      const last = this.lastByWorkload.get(workload);
      let total = this.totals.get(workload) ?? 0;
      for (const [member, value] of members) {
        const before = last?.get(member);
        total += before === undefined || value < before ? value : value - before;
      }
      result.set(workload, total);
    }
    // Workloads gone this scrape lose their state: their series go stale, and a return starts afresh.
    this.lastByWorkload = readings;
    this.totals = result;
    return result;
  }
}
