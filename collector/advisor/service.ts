import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { createWebServer } from '../../common/http-server.ts';
import type { WebConfig } from '../../common/web-config.ts';
import type { Tariff } from '../../cost/scenario.ts';
import { CONTENT_TYPE, formatFamilies } from '../../exporters/agent/exposition.ts';
import type { Advice } from './advice.ts';
import { type AdvisorState, advisorFamilies } from './metrics.ts';

export interface AdvisorServiceOptions {
  webConfig: WebConfig;
  log: Logger;
  tariff: Tariff;
  /** One run: read Prometheus, price the lab, plan placement. */
  compute: () => Promise<Advice>;
  refreshSeconds: number;
  now?: () => number;
}

export interface AdvisorService {
  app: FastifyInstance;
  /** Runs once now (never two at a time); resolves when done, whatever the outcome. */
  refresh(): Promise<void>;
  /** The first run now, then one every refreshSeconds after the previous ends. */
  start(): void;
  stop(): void;
}

/**
 * `tierwise collector`: answers from a cache that a timer refreshes, so neither a dashboard's request
 * nor Prometheus' scrape ever waits on a week of queries and a solver run (STYLE.md: no slow remote call
 * in the scrape path).
 */
export function buildAdvisorService(opts: AdvisorServiceOptions): AdvisorService {
  const now = opts.now ?? Date.now;
  const state: AdvisorState = {};
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = async () => {
    const started = now();
    try {
      state.advice = await opts.compute();
      state.lastSuccessAt = now() / 1000;
      state.lastRun = { success: true, at: now() / 1000, durationSeconds: (now() - started) / 1000 };
      opts.log.info(
        {
          confidence: state.advice.confidence,
          moves: state.advice.placement.moves.length,
          durationSeconds: state.lastRun.durationSeconds,
        },
        'advice refreshed',
      );
    } catch (err) {
      const error = (err as Error).message;
      state.lastRun = { success: false, at: now() / 1000, durationSeconds: (now() - started) / 1000, error };
      opts.log.error({ err: error }, 'advice run failed; serving the previous answer');
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
    timer = setTimeout(() => void refresh().then(schedule), opts.refreshSeconds * 1000);
    timer.unref();
  };

  const app = createWebServer(opts.webConfig, opts.log);
  /** The cached answer's part, with when and how sure; 503 until a run has succeeded. */
  const answer = (part: 'costs' | 'placement') => async (_req: unknown, reply: FastifyReply) => {
    const a = state.advice;
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
    reply
      .type('text/plain')
      .send(
        `tierwise collector\n/api/costs      what each machine and workload cost\n/api/placement  where each workload should run\n/metrics        tariff now, costs, savings, run health\n`,
      ),
  );

  return {
    app,
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
