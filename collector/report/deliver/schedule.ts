import { Cron, type CronOptions } from 'croner';
import type { Logger } from 'pino';

/**
 * Five fields (minute hour day month weekday), as in crontab: croner would also take seconds and
 * years, which a weekly report has no use for and which would make a typo run every second.
 */
const OPTIONS = { mode: '5-part' } as const satisfies CronOptions;

/** Why `expr` is not a cron expression croner accepts, or undefined when it is. */
export function cronProblem(expr: string): string | undefined {
  try {
    new Cron(expr, { ...OPTIONS, paused: true }).stop();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The next `n` run times after `from`, with the schedule read in `timezone` (an IANA name). */
export function nextReportRuns(expr: string, timezone: string, n: number, from: Date): Date[] {
  const job = new Cron(expr, { ...OPTIONS, timezone, paused: true });
  try {
    return job.nextRuns(n, from);
  } finally {
    job.stop();
  }
}

export interface ReportSchedule {
  stop(): void;
  /** When the next report is due, if ever. */
  nextRun(): Date | null;
}

/**
 * Runs `run` on the cron schedule, in `timezone`, so "Monday 07:00" stays 07:00 local across a DST
 * change. A run still going when the next is due is skipped rather than doubled, and a run that
 * throws is logged: one bad week must not end the schedule.
 */
export function scheduleReports(
  expr: string,
  timezone: string,
  run: () => Promise<void>,
  log: Logger,
): ReportSchedule {
  const job = new Cron(
    expr,
    {
      ...OPTIONS,
      timezone,
      protect: () => log.warn('the previous weekly report is still running; skipping this run'),
      catch: (err: unknown) => log.error({ err }, 'weekly report failed'),
    },
    run,
  );
  return { stop: () => job.stop(), nextRun: () => job.nextRun() };
}
