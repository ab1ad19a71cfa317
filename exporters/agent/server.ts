import { constants, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createWebServer } from '../../common/http-server.ts';
import type { WebConfig } from '../../common/web-config.ts';
import { CONTENT_TYPE, createSelfMetrics, formatFamilies } from './exposition.ts';
import { renderIndexPage } from './index-page.ts';
import type { Scraper } from './scrape.ts';

/**
 * Level 1 and on the calling thread: for a ~30 KB exposition this costs about a third of the default
 * level through the thread pool, for output 1.5 times larger (still a tenth of the text). A Pi's CPU is
 * scarcer than its LAN (docs/benchmarks.md).
 */
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };

export interface AgentServerOptions {
  scraper: Scraper;
  webConfig: WebConfig;
  log: Logger;
  version: string;
  /** Re-runs the CPU speed benchmark on demand (POST /-/speed-score). */
  remeasureSpeed?: () => Promise<unknown>;
}

/** Builds the agent's HTTP app without listening, so tests can drive it with inject(). */
export function buildAgentServer(opts: AgentServerOptions): FastifyInstance {
  const { scraper, webConfig } = opts;
  const app = createWebServer(webConfig, opts.log);

  const self = createSelfMetrics();
  app.get('/metrics', async (request, reply) => {
    const endTimer = self.scrapeDuration.startTimer();
    const { families } = await scraper.scrape();
    const collected = formatFamilies(families);
    endTimer();
    const text = collected + (await self.registry.metrics());
    reply.header('Content-Type', CONTENT_TYPE);
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      reply.header('Content-Encoding', 'gzip');
      return gzipSync(text, GZIP_OPTIONS);
    }
    return text;
  });

  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));

  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(renderIndexPage(opts.version, scraper.lastStatuses())),
  );

  if (opts.remeasureSpeed) {
    const remeasure = opts.remeasureSpeed;
    app.post('/-/speed-score', async () => remeasure());
  }
  return app;
}
