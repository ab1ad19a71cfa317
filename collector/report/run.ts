import type { Logger } from 'pino';
import type { TierwiseConfig } from '../../common/config.ts';
import type { PrometheusTarget } from '../../common/prometheus-client.ts';
import type { Tariff } from '../../cost/scenario.ts';
import { NoDataError } from '../advisor/build-scenario.ts';
import { type DeliveryOutcome, deliverReport } from './deliver/deliver.ts';
import { weeklyReportFromPrometheus } from './from-prometheus.ts';
import { renderReport } from './render.ts';
import type { RenderedReport } from './rendered.ts';
import type { IsoWeek } from './week.ts';

export interface ReportRun {
  week: IsoWeek;
  tariff: Tariff;
  /** Where the files go; written before any delivery, and kept whatever the destinations say. */
  outDir: string;
  /** Send to report.destinations too, not only to disk. */
  deliver: boolean;
  log: Logger;
  onProgress?: (line: string) => void;
}

/**
 * One weekly report, made and delivered: what `tierwise report` does once and the collector does on its
 * schedule. Rejects when the report cannot be made (Prometheus unreachable, no data for the week);
 * delivery failures are outcomes, not errors, because the report is on disk by then.
 */
export async function runWeeklyReport(
  target: PrometheusTarget,
  config: Pick<TierwiseConfig, 'collector' | 'machines' | 'report'>,
  run: ReportRun,
): Promise<{ rendered: RenderedReport; outcomes: DeliveryOutcome[] }> {
  const report = await weeklyReportFromPrometheus(target, {
    week: run.week,
    stepSeconds: config.collector.step,
    tariff: run.tariff,
    declarations: config.machines,
    options: config.collector.options,
    ...(run.onProgress && { onProgress: run.onProgress }),
  }).catch((err: Error) => {
    // A week without data keeps its type: the collector's catch-up tells it from a failure.
    if (err instanceof NoDataError || err.message.includes(target.url)) throw err;
    throw new Error(`Prometheus ${target.url}: ${err.message}`);
  });
  const rendered = renderReport(report);
  const outcomes = await deliverReport(
    rendered,
    { ...config.report, out_dir: run.outDir, destinations: run.deliver ? config.report.destinations : [] },
    { log: run.log },
  );
  return { rendered, outcomes };
}
