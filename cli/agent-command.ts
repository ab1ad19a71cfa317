import { Command } from 'commander';
import { createLogger } from '../common/log.ts';
import { loadWebConfig } from '../common/web-config.ts';
import {
  COLLECTOR_NAMES,
  createAgent,
  DEFAULT_LISTEN_ADDRESS,
  parseListenAddress,
} from '../exporters/agent/agent.ts';
import { COLLECTORS } from '../exporters/collectors/index.ts';
import { addHostOptions, type HostOptionValues, hostPaths, loadConfigFrom } from './host-options.ts';

interface AgentFlags extends HostOptionValues {
  'web.listenAddress': string;
  'web.config.file'?: string;
  'log.level': string;
  [flag: `collector.${string}`]: boolean;
}

export function agentCommand(): Command {
  const cmd = new Command('agent').description("serve this machine's metrics on /metrics for Prometheus");
  addHostOptions(cmd)
    .option('--web.listen-address <addr>', 'address to listen on', DEFAULT_LISTEN_ADDRESS)
    .option('--web.config.file <file>', 'TLS and basic auth, in the Prometheus web-config.yml format')
    .option('--log.level <level>', 'debug, info, warn or error', 'info');
  const descriptions = new Map(COLLECTORS.map((c) => [c.name, c.description]));
  for (const name of COLLECTOR_NAMES) {
    cmd.option(
      `--no-collector.${name}`,
      `disable the ${name} collector (${descriptions.get(name) ?? 'machine inventory'})`,
    );
  }
  return cmd.action(async (flags: AgentFlags) => {
    const log = createLogger(flags['log.level']);
    const { host, port } = parseListenAddress(flags['web.listenAddress']);
    const config = await loadConfigFrom(flags);
    const webConfig = await loadWebConfig(flags['web.config.file']);
    const disabled = new Set(COLLECTOR_NAMES.filter((n) => flags[`collector.${n}`] === false));
    const { app } = await createAgent({
      paths: hostPaths(flags),
      config: config.agent,
      configFile: flags.config,
      webConfig,
      disabled,
      log,
    });
    const address = await app.listen({ host, port });
    log.info(
      { address, tls: webConfig.tls !== undefined, auth: webConfig.users !== undefined },
      'tierwise agent listening',
    );
    const stop = async (signal: string) => {
      log.info({ signal }, 'stopping');
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}
