import type { Logger } from 'pino';
import type { PlugConfig } from './config.ts';
import { type EnergyMethod, PlugEnergy } from './energy.ts';
import type { PlugReader } from './readers.ts';
import { PlugError, type PlugReading, selectSample, toPlugError } from './reading.ts';

/** What the collector serves for one plug: the latest attempt's outcome and the last good reading. */
export interface PlugSnapshot {
  up: boolean;
  /** Why the latest attempt failed ("timeout", "http 500", "invalid answer", "not polled yet"…). */
  reason?: string;
  /** The last good reading and when it arrived (ms since the epoch); absent before the first. */
  last?: { reading: PlugReading; watts?: number; atMs: number };
  energy?: { joules: number; method: EnergyMethod };
}

/** Beyond this many poll intervals without an answer, a reading is stale and energy is not integrated. */
export const STALE_POLLS = 3;

/**
 * Polls one plug in the background every poll_seconds and keeps its last reading, so a scrape only ever
 * reads memory: a plug that hangs, is unplugged or answers garbage costs the scrape nothing. A poll never
 * overlaps the previous one, and has a backstop deadline a second beyond the transport's own timeout.
 * Timers are unref'd: pollers never keep the process alive.
 */
export class PlugPoller {
  private readonly energy: PlugEnergy;
  private last: PlugSnapshot['last'];
  private outcome: { up: boolean; reason?: string } = { up: false, reason: 'not polled yet' };
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loggedReason: string | undefined;

  constructor(
    readonly plug: PlugConfig,
    private readonly read: PlugReader,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.energy = new PlugEnergy(STALE_POLLS * plug.poll_seconds * 1000);
  }

  /** Polls now, then every poll_seconds until stop(). */
  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.plug.poll_seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll; while one is running, that one. Never rejects. */
  poll(): Promise<void> {
    this.inFlight ??= this.pollOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  snapshot(): PlugSnapshot {
    const energy = this.energy.total;
    return {
      ...this.outcome,
      ...(this.last ? { last: this.last } : {}),
      ...(energy ? { energy } : {}),
    };
  }

  private async pollOnce(): Promise<void> {
    const { plug } = this;
    try {
      const reading = await withBackstop(this.read(), plug.timeout_seconds * 1000 + 1000, plug.name);
      const sample = selectSample(reading, plug.channel, `plug ${plug.name}`);
      const atMs = this.now();
      this.energy.update(sample, atMs);
      this.last = { reading, ...(sample.watts !== undefined ? { watts: sample.watts } : {}), atMs };
      this.outcome = { up: true };
      if (this.loggedReason !== undefined) this.log.info({ plug: plug.name }, 'plug answers again');
      this.loggedReason = undefined;
    } catch (err) {
      const e = toPlugError(err);
      this.outcome = { up: false, reason: e.reason };
      // Once per change of reason, not at every poll of a plug that stays unplugged.
      if (this.loggedReason !== e.reason) {
        this.log.warn({ plug: plug.name, reason: e.reason, err: e.message }, 'plug not read');
      }
      this.loggedReason = e.reason;
    }
  }
}

function withBackstop<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const backstop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PlugError('timeout', `plug ${name}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([work, backstop]).finally(() => clearTimeout(timer));
}
