import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { TierwiseConfig } from '../../common/config.ts';
import type { PrometheusTarget } from '../../common/prometheus-client.ts';
import type { Tariff } from '../../cost/scenario.ts';
import { NoDataError } from '../advisor/build-scenario.ts';
import { type ReportSchedule, scheduleReports } from './deliver/schedule.ts';
import { reportBaseName } from './deliver/store.ts';
import { runWeeklyReport } from './run.ts';
import { type IsoWeek, lastCompleteWeek } from './week.ts';

export interface CollectorReportOptions {
  target: PrometheusTarget;
  config: Pick<TierwiseConfig, 'collector' | 'machines' | 'report'>;
  tariff: Tariff;
  /** Weeks start and the schedule is read in this zone (reportTimezone). */
  timezone: string;
  outDir: string;
  log: Logger;
  now?: () => number;
}

export interface CollectorReportSchedule extends ReportSchedule {
  /** The catch-up run at start, if there was one to make; resolves when it is done, whatever the outcome. */
  catchUp: Promise<void>;
}

/**
 * The collector's weekly report: the last complete week, made and delivered on report.schedule. At
 * start, a week whose report is not on disk yet (the collector was down when it was due, or this is
 * its first start) is made at once, as anacron would. A week without data is no error here: it is the
 * normal first start of a new lab.
 */
export function startReportSchedule(opts: CollectorReportOptions): CollectorReportSchedule {
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ task: 'weekly report' });
  const run = async (week: IsoWeek) => {
    const { outcomes } = await runWeeklyReport(opts.target, opts.config, {
      week,
      tariff: opts.tariff,
      outDir: opts.outDir,
      deliver: true,
      log,
    });
    const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.destination}: ${o.error}`);
    if (failed.length > 0)
      log.warn({ week: week.label, failed }, 'weekly report on disk, not delivered everywhere');
    else log.info({ week: week.label, destinations: outcomes.length }, 'weekly report delivered');
  };
  const due = () => lastCompleteWeek(now() / 1000, opts.timezone);
  const schedule = scheduleReports(opts.config.report.schedule, opts.timezone, () => run(due()), log);
  log.info(
    {
      schedule: opts.config.report.schedule,
      timezone: opts.timezone,
      next: schedule.nextRun()?.toISOString(),
    },
    'weekly report scheduled',
  );

  const catchUp = async () => {
    const week = due();
    const json = path.join(opts.outDir, `${reportBaseName(week.label)}.json`);
    if (
      await access(json).then(
        () => true,
        () => false,
      )
    )
      return;
    log.info({ week: week.label }, 'no report on disk for the last complete week; making it now');
    await run(week).catch((err: unknown) => {
      if (err instanceof NoDataError)
        log.info(
          { week: week.label, reason: err.message },
          'no data for the last complete week; nothing to report',
        );
      else log.error({ week: week.label, err: (err as Error).message }, 'weekly report failed');
    });
  };
  return { ...schedule, catchUp: catchUp() };
}
