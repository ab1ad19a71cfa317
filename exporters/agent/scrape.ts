import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { type Collector, NoDataError } from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { powerSourceInfo } from '../power/source-info.ts';

export interface NamedCollector {
  name: string;
  description: string;
  collector: Collector;
}

export interface CollectorStatus {
  name: string;
  description: string;
  up: boolean;
  reason?: string;
  durationSeconds: number;
  at: Date;
}

export interface ScrapeResult {
  families: MetricFamily[];
  statuses: CollectorStatus[];
}

class CollectorTimeout extends Error {}

/**
 * Runs every enabled collector concurrently under one deadline. A collector that throws or overruns is
 * reported down with its reason; its families are dropped and the rest of the scrape still answers.
 */
export class Scraper {
  private readonly last = new Map<string, CollectorStatus>();
  private readonly loggedReasons = new Map<string, string>();

  constructor(
    readonly collectors: NamedCollector[],
    private readonly timeoutSeconds: number,
    private readonly log: Logger,
  ) {}

  async scrape(): Promise<ScrapeResult> {
    // One deadline for the whole scrape rather than a timer per collector: timers are a measurable
    // part of a scrape that takes about a millisecond.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CollectorTimeout()), this.timeoutSeconds * 1000);
    });
    deadline.catch(() => {});
    const outcomes = await Promise.all(this.collectors.map((c) => this.runOne(c, deadline)));
    clearTimeout(timer);
    const self = new FamilyBuilder();
    const families: MetricFamily[] = [];
    for (const { status, families: collected } of outcomes) {
      families.push(...collected);
      const labels: Record<string, string> = { collector: status.name };
      if (status.reason !== undefined) labels.reason = status.reason;
      self.gauge(
        'tierwise_collector_up',
        'Whether the collector succeeded on this scrape (1) or not (0, with the reason as a label).',
        status.up ? 1 : 0,
        labels,
      );
      self.gauge(
        'tierwise_collector_duration_seconds',
        'How long the collector took on this scrape.',
        status.durationSeconds,
        { collector: status.name },
      );
      this.last.set(status.name, status);
    }
    families.push(...self.build());
    // Derived here, from what every power collector reported on this scrape, since no one collector
    // knows the others.
    const powerSource = powerSourceInfo(families);
    if (powerSource) families.push(powerSource);
    return { families, statuses: outcomes.map((o) => o.status) };
  }

  /** The status of each collector at its last scrape, for the index page. */
  lastStatuses(): CollectorStatus[] {
    return this.collectors.map(
      (c) =>
        this.last.get(c.name) ?? {
          name: c.name,
          description: c.description,
          up: false,
          reason: 'not scraped yet',
          durationSeconds: 0,
          at: new Date(0),
        },
    );
  }

  private async runOne(
    c: NamedCollector,
    deadline: Promise<never>,
  ): Promise<{ status: CollectorStatus; families: MetricFamily[] }> {
    const start = performance.now();
    const base = { name: c.name, description: c.description, at: new Date() };
    try {
      const families = await Promise.race([c.collector.collect(), deadline]);
      this.loggedReasons.delete(c.name);
      return { status: { ...base, up: true, durationSeconds: elapsed(start) }, families };
    } catch (err) {
      const reason =
        err instanceof CollectorTimeout
          ? `timeout after ${this.timeoutSeconds}s`
          : err instanceof NoDataError
            ? `no data: ${err.message}`
            : errorReason(err);
      this.logOnce(c.name, reason, err);
      return { status: { ...base, up: false, reason, durationSeconds: elapsed(start) }, families: [] };
    }
  }

  /** Logs a collector's failure when its reason changes, not on every 15-second scrape. */
  private logOnce(name: string, reason: string, err: unknown): void {
    if (this.loggedReasons.get(name) === reason) return;
    this.loggedReasons.set(name, reason);
    if (err instanceof NoDataError) this.log.debug({ collector: name, reason }, 'collector has no data');
    else this.log.warn({ collector: name, reason }, 'collector failed');
  }
}

function elapsed(start: number): number {
  return (performance.now() - start) / 1000;
}

/** A short, stable reason for a label: the error code and message, without stack or changing numbers. */
export function errorReason(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = err.message.split('\n')[0] ?? '';
    const text = code && !message.startsWith(code) ? `${code}: ${message}` : message;
    return text.slice(0, 200);
  }
  return String(err).slice(0, 200);
}
