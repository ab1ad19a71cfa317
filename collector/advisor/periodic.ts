import type { Logger } from 'pino';

/** How the latest run went; `at` and durations in seconds. */
export interface RunRecord {
  success: boolean;
  at: number;
  durationSeconds: number;
  error?: string;
}

export interface PeriodicState<T> {
  /** The latest successful answer; kept while later runs fail, so what is served never vanishes. */
  value?: T;
  lastRun?: RunRecord;
  lastSuccessAt?: number;
}

export interface PeriodicTask<T> {
  readonly state: PeriodicState<T>;
  /** Runs once now (never two at a time); resolves when done, whatever the outcome. */
  refresh(): Promise<void>;
  /** The first run now, then one every intervalSeconds after the previous ends. */
  start(): void;
  stop(): void;
}

export interface PeriodicTaskOptions<T> {
  /** Names the task in logs. */
  what: string;
  compute: () => Promise<T>;
  intervalSeconds: number;
  log: Logger;
  now: () => number;
  /** Fields to log after a success. */
  describe?: (value: T) => Record<string, unknown>;
}

/**
 * A cache that a timer refreshes, so neither a page's request nor Prometheus' scrape ever waits on a
 * week of queries and a solver run (STYLE.md: no slow remote call in the request path). The interval
 * counts from the end of a run, so a slow run never overlaps the next.
 */
export function periodicTask<T>(opts: PeriodicTaskOptions<T>): PeriodicTask<T> {
  const state: PeriodicState<T> = {};
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = async () => {
    const started = opts.now();
    const record = (success: boolean, error?: string): RunRecord => ({
      success,
      at: opts.now() / 1000,
      durationSeconds: (opts.now() - started) / 1000,
      ...(error !== undefined && { error }),
    });
    try {
      const value = await opts.compute();
      state.value = value;
      state.lastRun = record(true);
      state.lastSuccessAt = state.lastRun.at;
      opts.log.info(
        { ...opts.describe?.(value), durationSeconds: state.lastRun.durationSeconds },
        `${opts.what} refreshed`,
      );
    } catch (err) {
      state.lastRun = record(false, (err as Error).message);
      opts.log.error({ err: state.lastRun.error }, `${opts.what} failed; serving the previous answer`);
    }
  };
  const refresh = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void refresh().then(schedule), opts.intervalSeconds * 1000);
    timer.unref();
  };
  return {
    state,
    refresh,
    start() {
      void refresh().then(schedule);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
