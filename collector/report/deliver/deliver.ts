import type { Logger } from 'pino';
import type { RenderedReport } from '../rendered.ts';
import type { DestinationConfig, ReportDeliveryConfig } from './config.ts';
import type { SendContext } from './context.ts';
import { send as sendEmail } from './email.ts';
import { send as sendGitea } from './gitea.ts';
import { send as sendNtfy } from './ntfy.ts';
import { type Sleep, withRetries } from './retry.ts';
import { send as sendSlack } from './slack.ts';
import { type StoredReport, storeReport } from './store.ts';
import { send as sendWebhook } from './webhook.ts';

export interface DeliveryOutcome {
  /** Type and name, host or recipient: never a token or a secret URL. */
  destination: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

export interface DeliverOptions {
  log: Logger;
  /** Waits between attempts; tests pass one that does not wait. */
  sleep?: Sleep;
  random?: () => number;
}

/** How a destination shows in logs and outcomes. */
export function describeDestination(dest: DestinationConfig): string {
  const label = (() => {
    switch (dest.type) {
      case 'webhook':
        return new URL(dest.url).host;
      case 'ntfy': {
        const u = new URL(dest.url);
        return `${u.host}${u.pathname}`;
      }
      case 'slack':
        return 'webhook';
      case 'gitea':
        return `${new URL(dest.url).host}/${dest.repo}`;
      case 'email':
        return dest.to;
    }
  })();
  return `${dest.type} ${dest.name ?? label}`;
}

function sendTo(report: RenderedReport, dest: DestinationConfig, ctx: SendContext): Promise<void> {
  switch (dest.type) {
    case 'webhook':
      return sendWebhook(report, dest, ctx);
    case 'ntfy':
      return sendNtfy(report, dest, ctx);
    case 'slack':
      return sendSlack(report, dest, ctx);
    case 'gitea':
      return sendGitea(report, dest, ctx);
    case 'email':
      return sendEmail(report, dest, ctx);
  }
}

/**
 * Writes the report to `out_dir`, then sends it to every destination, each on its own with retries:
 * one that is down never holds up or stops the others, and whatever fails, the report is on disk
 * and the log says where. The first outcome is the file; the rest follow the destinations' order.
 */
export async function deliverReport(
  report: RenderedReport,
  config: ReportDeliveryConfig,
  opts: DeliverOptions,
): Promise<DeliveryOutcome[]> {
  const log = opts.log.child({ week: report.week });
  let stored: StoredReport | undefined;
  let fileOutcome: DeliveryOutcome;
  try {
    stored = await storeReport(report, config.out_dir);
    fileOutcome = { destination: `file ${stored.dir}`, ok: true, attempts: 1 };
  } catch (err) {
    // Still send it: the destinations may be the only copy now.
    const error = (err as Error).message;
    log.error({ out_dir: config.out_dir, error }, 'cannot write the weekly report to disk');
    fileOutcome = { destination: `file ${config.out_dir}`, ok: false, attempts: 1, error };
  }

  const ctx: SendContext = { timeoutMs: config.timeout_seconds * 1000, stored };
  const outcomes = await Promise.all(
    config.destinations.map(async (dest): Promise<DeliveryOutcome> => {
      const destination = describeDestination(dest);
      const result = await withRetries(() => sendTo(report, dest, ctx), config.retries, {
        ...(opts.sleep ? { sleep: opts.sleep } : {}),
        ...(opts.random ? { random: opts.random } : {}),
        onRetry: (attempt, error, delayMs) =>
          log.warn(
            {
              destination,
              attempt,
              attempts: config.retries.attempts,
              retry_in_s: delayMs / 1000,
              error: error.message,
            },
            'weekly report delivery failed; retrying',
          ),
      });
      if (result.ok) return { destination, ok: true, attempts: result.attempts };
      log.error(
        { destination, attempts: result.attempts, error: result.error.message, on_disk: stored?.dir },
        `weekly report not delivered to ${destination}${stored ? `; it stays on disk in ${stored.dir}` : ''}`,
      );
      return { destination, ok: false, attempts: result.attempts, error: result.error.message };
    }),
  );

  const all = [fileOutcome, ...outcomes];
  const failed = all.filter((o) => !o.ok).map((o) => o.destination);
  const where = stored ? `on disk at ${stored.html} (and .md, .json)` : 'NOT on disk';
  const summary = { delivered: all.filter((o) => o.ok).length, failed, on_disk: stored?.html };
  if (failed.length === 0) log.info(summary, `weekly report ${report.week} delivered; ${where}`);
  else log.warn(summary, `weekly report ${report.week}: ${failed.length} of ${all.length} failed; ${where}`);
  return all;
}
