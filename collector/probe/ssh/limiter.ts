/**
 * The global limit on probes in flight (probe.max_concurrent), with a first-come queue. A slot covers a
 * whole run (connect, jump, command), so a burst of scrapes cannot open more sessions than allowed on
 * the collector or on one sshd (whose MaxStartups drops excess handshakes).
 */
export class Limiter {
  private active = 0;
  private readonly queue: Array<{ grant: () => void; fail: (err: Error) => void }> = [];

  constructor(private max: number) {}

  /**
   * Waits for a slot; the returned function gives it back (once). An aborted `signal` takes the
   * caller out of the queue with `onAbort()`'s error.
   */
  acquire(signal?: AbortSignal, onAbort: () => Error = () => new Error('aborted')): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(onAbort());
    if (this.active < this.max && this.queue.length === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', abort);
          this.active++;
          resolve(this.releaser());
        },
        fail: (err: Error) => {
          signal?.removeEventListener('abort', abort);
          reject(err);
        },
      };
      const abort = () => {
        const i = this.queue.indexOf(waiter);
        if (i !== -1) this.queue.splice(i, 1);
        reject(onAbort());
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** A new limit (config reload); more room lets queued callers in at once. */
  setMax(max: number): void {
    this.max = max;
    this.drain();
  }

  /** Fails every queued caller (the pool is closing). */
  rejectAll(err: Error): void {
    for (const waiter of this.queue.splice(0)) waiter.fail(err);
  }

  get stats(): { active: number; queued: number; max: number } {
    return { active: this.active, queued: this.queue.length, max: this.max };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.active < this.max) {
      const next = this.queue.shift();
      if (next === undefined) return;
      next.grant();
    }
  }
}
