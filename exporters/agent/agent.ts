import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type AgentConfig, ConfigError } from '../../common/config.ts';
import { VERSION } from '../../common/version.ts';
import type { WebConfig } from '../../common/web-config.ts';
import type { CollectorContext, HostPaths } from '../collector.ts';
import { COLLECTORS } from '../collectors/index.ts';
import { createInventoryCollector, INVENTORY_DESCRIPTION } from '../collectors/inventory.ts';
import { InventoryService } from '../inventory/inventory.ts';
import { type NamedCollector, Scraper } from './scrape.ts';
import { buildAgentServer } from './server.ts';

export const DEFAULT_LISTEN_ADDRESS = ':10090';

export interface AgentOptions {
  paths: HostPaths;
  config: AgentConfig;
  /** Where config came from, for error messages. */
  configFile?: string;
  webConfig: WebConfig;
  /** Collectors switched off on the command line (--no-collector.<name>). */
  disabled: ReadonlySet<string>;
  log: Logger;
}

export interface Agent {
  app: FastifyInstance;
  scraper: Scraper;
  inventory: InventoryService;
}

export const COLLECTOR_NAMES = ['inventory', ...COLLECTORS.map((c) => c.name)];

/** Assembles collectors, inventory and HTTP app; gathers the inventory (and speed score) before serving. */
export async function createAgent(opts: AgentOptions): Promise<Agent> {
  const unknown = opts.config.collectors.disabled.filter((n) => !COLLECTOR_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new ConfigError(opts.configFile ?? '(built-in defaults)', [
      `agent.collectors.disabled: unknown collector(s) ${unknown.join(', ')}; expected some of ${COLLECTOR_NAMES.join(', ')}`,
    ]);
  }
  const off = new Set([...opts.disabled, ...opts.config.collectors.disabled]);
  const ctx: CollectorContext = { paths: opts.paths, config: opts.config, log: opts.log };
  const inventory = new InventoryService(ctx);
  const named: NamedCollector[] = COLLECTORS.filter((d) => d.defaultEnabled && !off.has(d.name)).map((d) => ({
    name: d.name,
    description: d.description,
    collector: d.create(ctx),
  }));
  if (!off.has('inventory')) {
    await inventory.refresh();
    named.push({
      name: 'inventory',
      description: INVENTORY_DESCRIPTION,
      collector: createInventoryCollector(inventory),
    });
  }
  const scraper = new Scraper(named, opts.config.collectors.timeout_seconds, opts.log);
  const app = buildAgentServer({
    scraper,
    webConfig: opts.webConfig,
    log: opts.log,
    version: VERSION,
    remeasureSpeed: off.has('inventory') ? undefined : () => inventory.refresh(),
  });
  return { app, scraper, inventory };
}

/** node_exporter's address syntax: ":10090" (all interfaces), "127.0.0.1:0", "[::1]:10090". */
export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!match) throw new Error(`--web.listen-address: expected [host]:port, got '${address}'`);
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`--web.listen-address: port ${port} is out of range`);
  return { host: match[1] ?? (match[2] || '::'), port };
}
