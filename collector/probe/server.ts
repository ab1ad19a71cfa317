import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createWebServer } from '../../common/http-server.ts';
import type { WebConfig } from '../../common/web-config.ts';
import { CONTENT_TYPE, formatFamilies } from '../../exporters/agent/exposition.ts';
import { FamilyBuilder, type MetricFamily } from '../../exporters/metrics.ts';
import type { ProbeTarget } from './config.ts';
import type { TargetRegistry } from './targets.ts';

/** What one probe of one target gave: its series, or why it failed. */
export interface ProbeOutcome {
  families: MetricFamily[];
  success: boolean;
  /** auth, host_key, timeout, refused, unreachable, dropped, exit, parse. */
  reason?: string;
  durationSeconds: number;
}

export interface Prober {
  probe(target: ProbeTarget): Promise<ProbeOutcome>;
}

export interface ProbeServerOptions {
  registry: TargetRegistry;
  prober: Prober;
  webConfig: WebConfig;
  log: Logger;
  version: string;
}

/** The series every probe answer carries, whatever happened, as blackbox_exporter's probe_success. */
export function probeHealthFamilies(outcome: ProbeOutcome): MetricFamily[] {
  return new FamilyBuilder()
    .gauge(
      'tierwise_probe_success',
      'Whether the probe read the target (1) or not (0).',
      outcome.success ? 1 : 0,
    )
    .gauge(
      'tierwise_probe_duration_seconds',
      'How long the probe took, connection included.',
      outcome.durationSeconds,
    )
    .gauge(
      'tierwise_probe_info',
      'Why the probe failed (reason: auth, host_key, timeout, refused, unreachable, dropped, exit, parse), empty when it did not.',
      1,
      { reason: outcome.reason ?? '' },
    )
    .build();
}

/**
 * The multi-target exporter pattern of blackbox and snmp exporters: Prometheus asks
 * /probe?target=<name> for each machine in tierwise.yml's probe.targets and relabels the answer to that
 * machine's instance (docs/probe.md has the relabel config). Only configured names are probed: the
 * target parameter selects an entry, it never supplies a host, so a scrape URL cannot make the prober
 * connect anywhere new.
 */
export function buildProbeServer(opts: ProbeServerOptions): FastifyInstance {
  const { registry, prober } = opts;
  const app = createWebServer(opts.webConfig, opts.log);
  /** The latest result per target, for / and /metrics: its outcome only, never its series. */
  const last = new Map<string, { success: boolean; reason?: string; at: Date }>();

  app.get('/probe', async (request, reply) => {
    const name = (request.query as Record<string, unknown>).target;
    if (typeof name !== 'string' || name === '')
      return reply.code(400).type('text/plain').send('target parameter is missing\n');
    const target = registry.target(name);
    if (!target)
      return reply
        .code(404)
        .type('text/plain')
        .send(`no probe target named ${JSON.stringify(name)}\n`);
    const outcome = await prober.probe(target);
    last.set(target.name, { success: outcome.success, reason: outcome.reason, at: new Date() });
    reply.header('Content-Type', CONTENT_TYPE);
    return formatFamilies([...outcome.families, ...probeHealthFamilies(outcome)]);
  });

  app.get('/metrics', async (_request, reply) => {
    const { ok, at } = registry.status();
    const b = new FamilyBuilder()
      .gauge(
        'tierwise_probe_config_last_reload_successful',
        'Whether the last reload of the targets worked.',
        ok ? 1 : 0,
      )
      .gauge(
        'tierwise_probe_config_last_reload_success_timestamp_seconds',
        'When the targets were last (re)loaded.',
        at / 1000,
      )
      .gauge('tierwise_probe_targets', 'Targets configured.', registry.config.targets.length);
    for (const [name, o] of last)
      b.gauge(
        'tierwise_probe_last_success',
        'Whether the latest probe of each target worked.',
        o.success ? 1 : 0,
        {
          target: name,
        },
      );
    reply.header('Content-Type', CONTENT_TYPE);
    return formatFamilies(b.build());
  });

  app.post('/-/reload', async (_request, reply) =>
    (await registry.reload())
      ? reply.type('text/plain').send('reloaded\n')
      : reply.code(500).type('text/plain').send('reload failed; the previous targets stay (see the log)\n'),
  );

  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));

  app.get('/', async (_request, reply) => {
    const rows = registry.config.targets.map((t) => {
      const o = last.get(t.name);
      const state = o ? (o.success ? 'ok' : `failed: ${o.reason}`) : 'not probed yet';
      return `<tr><td><a href="/probe?target=${encodeURIComponent(t.name)}">${escapeHtml(t.name)}</a></td><td>${escapeHtml(`${t.user}@${t.host}:${t.port}`)}</td><td>${escapeHtml(state)}</td></tr>`;
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><title>tierwise probe</title><h1>tierwise probe ${escapeHtml(opts.version)}</h1><table><tr><th>target</th><th>ssh</th><th>last probe</th></tr>${rows.join('')}</table>`,
      );
  });
  return app;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
