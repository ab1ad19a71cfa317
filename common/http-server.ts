import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { BasicAuth, type WebConfig } from './web-config.ts';

/**
 * A fastify app that applies a web-config.yml as Prometheus's exporters do: TLS when configured, basic
 * auth on every route (401 otherwise), and the configured response headers. The agent and the probe
 * server both start from it.
 */
export function createWebServer(webConfig: WebConfig, log: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: log,
    // A request log line per 15-second scrape would drown everything else.
    logController: new LogController({ disableRequestLogging: true }),
    ...(webConfig.tls ? { https: webConfig.tls } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  if (webConfig.users) {
    const auth = new BasicAuth(webConfig.users);
    app.addHook('onRequest', async (request, reply) => {
      if (await auth.check(request.headers.authorization)) return;
      await reply.code(401).header('WWW-Authenticate', 'Basic realm="tierwise"').send('Unauthorized\n');
    });
  }
  const headers = Object.entries(webConfig.headers);
  if (headers.length > 0) {
    app.addHook('onSend', async (_request, reply) => {
      for (const [name, value] of headers) reply.header(name, value);
    });
  }
  return app;
}
