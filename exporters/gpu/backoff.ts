/**
 * Waits between restarts of a failing nvidia-smi: min, 2·min, 4·min … up to max. A driver that is
 * broken for good then costs one start per `max`, not a tight loop of them.
 */
export class Backoff {
  private delayMs: number;

  constructor(
    private readonly minMs: number,
    readonly maxMs: number,
  ) {
    this.delayMs = minMs;
  }

  /** The wait before the next attempt; each call doubles the one after it. */
  next(): number {
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.delayMs = this.minMs;
  }
}
