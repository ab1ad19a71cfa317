import path from 'node:path';
import type { TierwiseConfig } from '../../common/config.ts';
import type { Binaries } from './binaries.ts';
import { localUrl } from './listen.ts';
import { runsCollector, runsProbe } from './prometheus-config.ts';
import type { ChildSpec } from './supervisor.ts';

/** One program of the stack: how to start it, when it is ready, where a person opens it. */
export interface Service extends ChildSpec {
  /** Its name in the list of URLs. */
  title: string;
  /** Answers 2xx once the service is ready. */
  readyUrl: string;
  /** Printed once the stack is up. */
  url: string;
  /** The stack.listen key of its address, for a port that is taken. */
  listenKey: string;
  address: string;
}

/** The data directory's layout; a second start on the same directory finds its data again. */
export interface StackPaths {
  dataDir: string;
  /** Generated on every start: prometheus.yml, the rule files, alertmanager.yml. */
  configDir: string;
  prometheusConfig: string;
  /** Prometheus' TSDB. */
  prometheusData: string;
  /** Alertmanager's silences and notification log. */
  alertmanagerData: string;
  /** The collector's weekly reports, with the rest of the stack's data. */
  reports: string;
}

export function stackPaths(dataDir: string): StackPaths {
  const configDir = path.join(dataDir, 'config');
  return {
    dataDir,
    configDir,
    prometheusConfig: path.join(configDir, 'prometheus.yml'),
    prometheusData: path.join(dataDir, 'prometheus'),
    alertmanagerData: path.join(dataDir, 'alertmanager'),
    reports: path.join(dataDir, 'reports'),
  };
}

/** How to run this same tierwise CLI again, as a child. */
export interface SelfCommand {
  command: string;
  /** Node's flags (tsx's loader when run from the TypeScript sources) and the entry script. */
  args: string[];
}

/**
 * This process's own command line: `node [flags] <script>`. Run from the bundle (bin/tierwise.js or
 * dist/tierwise.mjs) there are no flags to carry; from the sources, tsx's --import/--require flags
 * are what makes the .ts entry run at all. A debugger's flags stay with this process only, since two
 * processes cannot hold one inspector port.
 */
export function selfCommand(
  proc: Pick<NodeJS.Process, 'execPath' | 'execArgv' | 'argv'> = process,
): SelfCommand {
  const script = proc.argv[1];
  if (script === undefined) throw new Error('cannot tell which script is running (process.argv[1] is empty)');
  const flags: string[] = [];
  for (let i = 0; i < proc.execArgv.length; i++) {
    const flag = proc.execArgv[i] as string;
    if (/^--inspect(-brk|-port)?(=|$)/.test(flag)) continue;
    flags.push(flag);
  }
  return { command: proc.execPath, args: [...flags, script] };
}

export interface ServicesInput {
  paths: StackPaths;
  /** As writeAlertmanagerFiles wrote it. */
  alertmanagerConfig: string;
  binaries: Binaries;
  self: SelfCommand;
  /** tierwise.yml as given (absolute), or none for the defaults. */
  configFile: string | undefined;
  /** pino's level name, from --log.level. */
  logLevel: string;
}

/** Every program the stack runs, started together. */
export function stackServices(
  config: Pick<TierwiseConfig, 'stack' | 'probe' | 'tariff'>,
  input: ServicesInput,
): Service[] {
  const { listen, retention } = config.stack;
  const { paths, binaries, self } = input;
  const configFlag = input.configFile === undefined ? [] : [`--config=${input.configFile}`];
  const theirLevel = promLogLevel(input.logLevel);
  const services: Service[] = [
    {
      name: 'prometheus',
      title: 'Prometheus',
      command: binaries.prometheus,
      args: [
        `--config.file=${paths.prometheusConfig}`,
        `--storage.tsdb.path=${paths.prometheusData}`,
        `--storage.tsdb.retention.time=${retention}`,
        `--web.listen-address=${listen.prometheus}`,
        `--log.level=${theirLevel}`,
      ],
      readyUrl: localUrl(listen.prometheus, '/-/ready'),
      url: localUrl(listen.prometheus),
      listenKey: 'stack.listen.prometheus',
      address: listen.prometheus,
    },
    {
      name: 'alertmanager',
      title: 'Alertmanager',
      command: binaries.alertmanager,
      args: [
        `--config.file=${input.alertmanagerConfig}`,
        `--storage.path=${paths.alertmanagerData}`,
        `--web.listen-address=${listen.alertmanager}`,
        // One box has no peers: no gossip port to take or firewall.
        '--cluster.listen-address=',
        `--log.level=${theirLevel}`,
      ],
      readyUrl: localUrl(listen.alertmanager, '/-/ready'),
      url: localUrl(listen.alertmanager),
      listenKey: 'stack.listen.alertmanager',
      address: listen.alertmanager,
    },
    {
      name: 'agent',
      title: 'agent',
      command: self.command,
      args: [
        ...self.args,
        'agent',
        ...configFlag,
        `--web.listen-address=${listen.agent}`,
        `--log.level=${input.logLevel}`,
      ],
      readyUrl: localUrl(listen.agent, '/healthz'),
      url: localUrl(listen.agent),
      listenKey: 'stack.listen.agent',
      address: listen.agent,
    },
  ];
  if (runsProbe(config))
    services.push({
      name: 'probe',
      title: 'probe',
      command: self.command,
      args: [
        ...self.args,
        'probe',
        ...configFlag,
        `--web.listen-address=${listen.probe}`,
        `--log.level=${input.logLevel}`,
      ],
      readyUrl: localUrl(listen.probe, '/healthz'),
      url: localUrl(listen.probe),
      listenKey: 'stack.listen.probe',
      address: listen.probe,
    });
  if (runsCollector(config))
    services.push({
      name: 'collector',
      title: 'collector',
      command: self.command,
      args: [
        ...self.args,
        'collector',
        ...configFlag,
        `--prometheus=${localUrl(listen.prometheus)}`,
        `--report.out-dir=${paths.reports}`,
        `--web.listen-address=${listen.collector}`,
        `--log.level=${input.logLevel}`,
      ],
      readyUrl: localUrl(listen.collector, '/healthz'),
      url: localUrl(listen.collector),
      listenKey: 'stack.listen.collector',
      address: listen.collector,
    });
  return services;
}

/**
 * Prometheus' and Alertmanager's level for ours. At info their start-up chatter (some forty lines of
 * flags, TSDB and config loading) would bury the stack's own lines, so they speak from warn;
 * --log.level=debug shows everything.
 */
function promLogLevel(level: string): 'debug' | 'warn' | 'error' {
  if (level === 'trace' || level === 'debug') return 'debug';
  if (level === 'error' || level === 'fatal' || level === 'silent') return 'error';
  return 'warn';
}
