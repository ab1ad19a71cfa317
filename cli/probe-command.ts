import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { SshProber } from '../collector/probe/prober.ts';
import { buildProbeServer } from '../collector/probe/server.ts';
import { recordHostKey, SshPool, trustHostKey } from '../collector/probe/ssh/index.ts';
import { TargetRegistry } from '../collector/probe/targets.ts';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/log.ts';
import { VERSION } from '../common/version.ts';
import { loadWebConfig } from '../common/web-config.ts';
import { parseListenAddress } from '../exporters/agent/agent.ts';
import { UsageError } from './usage-error.ts';

export const DEFAULT_PROBE_LISTEN_ADDRESS = ':10091';

interface ServeFlags {
  config?: string;
  'web.listenAddress': string;
  'web.config.file'?: string;
  'log.level': string;
}

export function probeCommand(): Command {
  const cmd = new Command('probe')
    .description(
      'probe machines that cannot run the agent over SSH: /probe?target=<name>, for Prometheus (docs/probe.md)',
    )
    .option('--config <file>', 'tierwise.yml with probe.targets (reloaded on change and SIGHUP)')
    .option('--web.listen-address <addr>', 'address to listen on', DEFAULT_PROBE_LISTEN_ADDRESS)
    .option('--web.config.file <file>', 'TLS and basic auth, in the Prometheus web-config.yml format')
    .option('--log.level <level>', 'debug, info, warn or error', 'info')
    .action(async (flags: ServeFlags) => {
      const log = createLogger(flags['log.level']);
      const { host, port } = parseListenAddress(flags['web.listenAddress']);
      const registry = await TargetRegistry.open(flags.config, log);
      const webConfig = await loadWebConfig(flags['web.config.file']);
      const pool = new SshPool(registry.config, { logger: log });
      registry.onReload((config) => pool.setConfig(config));
      registry.watch();
      const app = buildProbeServer({
        registry,
        prober: new SshProber(pool, () => registry.agent, log),
        webConfig,
        log,
        version: VERSION,
      });
      const address = await app.listen({ host, port });
      log.info({ address, targets: registry.config.targets.length }, 'tierwise probe listening');
      const stop = async (signal: string) => {
        log.info({ signal }, 'stopping');
        registry.close();
        await app.close();
        await pool.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });

  cmd
    .command('trust')
    .description("show a target's SSH host key fingerprint and, once confirmed, add it to probe.known_hosts")
    .argument('<target>', 'a name from probe.targets')
    .option('--yes', 'record the key without asking (after checking the fingerprint some other way)')
    .action(async (name: string, _flags: unknown, command: Command) => {
      // --config belongs to `probe` and may come before or after `trust`.
      const flags = command.optsWithGlobals<{ config?: string; yes?: boolean }>();
      const { probe } = await loadConfig(flags.config);
      const target = probe.targets.find((t) => t.name === name);
      if (!target) throw new UsageError(`no probe target named ${JSON.stringify(name)} in probe.targets`);
      const key = await trustHostKey(target, probe.known_hosts, { targets: probe.targets });
      process.stdout.write(`${key.name} presents ${key.type} ${key.fingerprint}\n`);
      if (key.status === 'known') {
        process.stdout.write(`already trusted in ${probe.known_hosts}\n`);
        return;
      }
      if (key.status !== 'new')
        throw new Error(
          `${probe.known_hosts} holds a ${key.status === 'revoked' ? 'revoked key' : 'different key'} for ${key.name}: remove that line first if the machine really was reinstalled`,
        );
      if (!flags.yes) {
        if (!process.stdin.isTTY)
          throw new Error('not a terminal: compare the fingerprint, then run again with --yes');
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question(`Does it match the machine's own (ssh-keygen -lf on it)? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          process.stdout.write('not recorded\n');
          return;
        }
      }
      await recordHostKey(probe.known_hosts, target, key);
      process.stdout.write(`recorded in ${probe.known_hosts}\n`);
    });
  return cmd;
}
