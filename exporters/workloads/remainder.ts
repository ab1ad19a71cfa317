/**
 * The "everything else" counter: machine total minus the named workloads, kept monotonic.
 *
 * Subtracting counters directly is wrong as soon as a workload comes or goes: when a container stops,
 * its accumulated CPU seconds leave the sum, and `total − Σ workloads` would jump up by all of them. So
 * this works on increments instead: between two scrapes, the machine's increase minus the increases of
 * the workloads present both times goes to the remainder. A workload seen for the first time
 * contributes nothing that interval (its counter starts at its cgroup's value). Negative leftovers
 * (sampling skew between the files read) are clamped, so the counter never goes backwards.
 */
export class RemainderCounter {
  private lastTotal: number | undefined;
  private lastParts = new Map<string, number>();
  private value = 0;

  /** Feeds one scrape's readings; returns the remainder counter after it. */
  update(total: number, parts: ReadonlyMap<string, number>): number {
    if (this.lastTotal !== undefined && total >= this.lastTotal) {
      let named = 0;
      for (const [id, v] of parts) {
        const before = this.lastParts.get(id);
        if (before !== undefined && v >= before) named += v - before;
      }
      this.value += Math.max(0, total - this.lastTotal - named);
    }
    this.lastTotal = total;
    this.lastParts = new Map(parts);
    return this.value;
  }
}
