import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { createWebServer } from '../../common/http-server.ts';
import type { WebConfig } from '../../common/web-config.ts';
import type { Tariff } from '../../cost/scenario.ts';
import { CONTENT_TYPE, formatFamilies } from '../../exporters/agent/exposition.ts';
import type { LiveView } from '../web/live.ts';
import { renderLivePage, renderReportsIndex } from '../web/pages.ts';
import type { ReportFormat, ReportsArchive } from '../web/reports-archive.ts';
import type { Advice } from './advice.ts';
import { advisorFamilies } from './metrics.ts';
import { type PeriodicTask, periodicTask } from './periodic.ts';

export interface AdvisorServiceOptions {
  webConfig: WebConfig;
  log: Logger;
  tariff: Tariff;
  /** One run: read Prometheus, price the lab, plan placement. */
  compute: () => Promise<Advice>;
  refreshSeconds: number;
  /** The front page's figures: this week so far. Cheaper than a plan, so refreshed more often. */
  live: { compute: () => Promise<LiveView>; refreshSeconds: number };
  /** The stored weekly reports, served at /reports. */
  reports: ReportsArchive;
  /** The zone the pages show times in. */
  timezone: string;
  now?: () => number;
}

export interface AdvisorService {
  app: FastifyInstance;
  advice: PeriodicTask<Advice>;
  live: PeriodicTask<LiveView>;
  /** Both refreshed once now; resolves when both are done, whatever the outcome. */
  refresh(): Promise<void>;
  start(): void;
  stop(): void;
}

const MEDIA_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * `tierwise collector`: the plan and the week so far, each from a cache its own timer refreshes, so
 * neither a page's request nor Prometheus' scrape waits on a week of queries and a solver run.
 */
export function buildAdvisorService(opts: AdvisorServiceOptions): AdvisorService {
  const now = opts.now ?? Date.now;
  const advice = periodicTask({
    what: 'advice',
    compute: opts.compute,
    intervalSeconds: opts.refreshSeconds,
    log: opts.log,
    now,
    describe: (a) => ({ confidence: a.confidence, moves: a.placement.moves.length }),
  });
  const live = periodicTask({
    what: 'this week so far',
    compute: opts.live.compute,
    intervalSeconds: opts.live.refreshSeconds,
    log: opts.log,
    now,
  });
  const state = advice.state;

  const app = createWebServer(opts.webConfig, opts.log);
  /** The cached answer's part, with when and how sure; 503 until a run has succeeded. */
  const answer = (part: 'costs' | 'placement') => async (_req: unknown, reply: FastifyReply) => {
    const a = state.value;
    if (!a)
      return reply.code(503).send({
        error: state.lastRun?.error ?? 'the first run has not finished yet',
        last_run_at: state.lastRun ? new Date(state.lastRun.at * 1000).toISOString() : null,
      });
    return reply.send({
      computed_at: a.computed_at,
      confidence: a.confidence,
      source: a.source,
      warnings: a.warnings,
      // A failed refresh leaves the previous answer up; say so.
      stale: state.lastRun?.success === false,
      ...(state.lastRun?.success === false && { last_error: state.lastRun.error }),
      [part]: a[part],
    });
  };
  app.get('/api/costs', answer('costs'));
  app.get('/api/placement', answer('placement'));
  app.get('/metrics', async (_req, reply) => {
    reply.header('Content-Type', CONTENT_TYPE);
    return formatFamilies(advisorFamilies(opts.tariff, state, now() / 1000));
  });
  app.get('/healthz', async (_req, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(renderLivePage(live.state, state, opts.timezone)),
  );
  app.get('/reports', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(renderReportsIndex(await opts.reports.list(), opts.reports.dir)),
  );
  app.get('/reports/latest', async (_req, reply) => {
    const latest = (await opts.reports.list()).find((r) => r.formats.includes('html'));
    if (!latest) return reply.code(404).type('text/plain').send('no weekly report yet\n');
    return reply.redirect(`/reports/${encodeURIComponent(`${latest.week}.html`)}`);
  });
  app.get<{ Params: { file: string } }>('/reports/:file', async (req, reply) => {
    const found = await opts.reports.file(req.params.file);
    if (!found) return reply.code(404).type('text/plain').send('no such report\n');
    return reply.type(MEDIA_TYPES[found.format]).send(await readFile(found.path));
  });

  const tasks = [advice, live];
  return {
    app,
    advice,
    live,
    refresh: async () => {
      await Promise.all(tasks.map((t) => t.refresh()));
    },
    start: () => {
      for (const t of tasks) t.start();
    },
    stop: () => {
      for (const t of tasks) t.stop();
    },
  };
}
