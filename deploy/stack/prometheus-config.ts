import type { TierwiseConfig } from '../../common/config.ts';
import { STACK_JOBS } from './config.ts';
import { localAddress } from './listen.ts';

export interface RelabelConfig {
  source_labels?: string[];
  regex?: string;
  target_label: string;
  replacement?: string;
}

export interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scrape_timeout?: string;
  honor_labels?: boolean;
  static_configs: { targets: string[] }[];
  relabel_configs?: RelabelConfig[];
}

/** The part of Prometheus' configuration file the stack writes. */
export interface PrometheusConfig {
  global: { scrape_interval: string; scrape_timeout: string; evaluation_interval: string };
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

export interface PrometheusConfigInput {
  /** Absolute paths of the rule files (writeRuleFiles). */
  ruleFiles: string[];
  /** This machine's name: the `instance` of everything the stack scrapes on loopback. */
  hostname: string;
}

/** Prometheus' own default; a shorter interval caps it. */
const MAX_SCRAPE_TIMEOUT_SECONDS = 10;

/** Every address Prometheus reaches on loopback is this machine. */
const LOOPBACK_ADDRESS = '(localhost|127(\\.[0-9]+){3}):[0-9]+';

/**
 * prometheus.yml for the one-box stack: this machine's agent and the other machines' agents, the SSH
 * probe's targets, third-party exporters, and Prometheus and Alertmanager themselves; the rules; alerts
 * to the stack's Alertmanager. Pure: the caller writes it.
 */
export function prometheusConfig(
  config: Pick<TierwiseConfig, 'stack' | 'probe' | 'tariff'>,
  input: PrometheusConfigInput,
): PrometheusConfig {
  const { stack } = config;
  const interval = durationSeconds(stack.scrape_interval);
  const machine = () => machineInstance(input.hostname);
  const jobs: ScrapeConfig[] = [
    {
      job_name: STACK_JOBS.agent,
      static_configs: [{ targets: [localAddress(stack.listen.agent), ...stack.agents] }],
      relabel_configs: machine(),
    },
    ...probeJobs(config, interval, input.hostname),
    ...(runsCollector(config)
      ? [
          {
            job_name: STACK_JOBS.collector,
            // Its cost series name the machine they price in `instance`: kept, not exported_instance.
            honor_labels: true,
            static_configs: [{ targets: [localAddress(stack.listen.collector)] }],
            relabel_configs: machine(),
          },
        ]
      : []),
    ...stack.exporters.map((e) => ({
      job_name: e.job,
      metrics_path: e.metrics_path,
      static_configs: [{ targets: e.targets }],
      relabel_configs: machine(),
    })),
    {
      job_name: STACK_JOBS.prometheus,
      static_configs: [{ targets: [localAddress(stack.listen.prometheus)] }],
      relabel_configs: machine(),
    },
    {
      job_name: STACK_JOBS.alertmanager,
      static_configs: [{ targets: [localAddress(stack.listen.alertmanager)] }],
      relabel_configs: machine(),
    },
  ];
  return {
    global: {
      scrape_interval: stack.scrape_interval,
      scrape_timeout: `${Math.min(interval, MAX_SCRAPE_TIMEOUT_SECONDS)}s`,
      evaluation_interval: stack.scrape_interval,
    },
    rule_files: input.ruleFiles,
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: [localAddress(stack.listen.alertmanager)] }] }],
    },
    scrape_configs: jobs,
  };
}

/** Whether the stack runs `tierwise probe` (only for a config with targets). */
export function runsProbe(config: Pick<TierwiseConfig, 'probe'>): boolean {
  return config.probe.targets.length > 0;
}

/**
 * Whether the stack runs `tierwise collector`: it prices energy, so only with a tariff in tierwise.yml
 * (without one the cost series stay empty, and everything else works).
 */
export function runsCollector(config: Pick<TierwiseConfig, 'tariff'>): boolean {
  return config.tariff !== undefined;
}

/**
 * The multi-target pattern of docs/probe.md: Prometheus asks the probe server for each name, and the
 * name becomes the instance. The prober's own /metrics is a job of its own, on this machine.
 */
function probeJobs(
  config: Pick<TierwiseConfig, 'stack' | 'probe'>,
  interval: number,
  hostname: string,
): ScrapeConfig[] {
  if (!runsProbe(config)) return [];
  const address = localAddress(config.stack.listen.probe);
  return [
    {
      job_name: STACK_JOBS.probe,
      metrics_path: '/probe',
      // The whole interval, so a slow target's own deadline (timeout_seconds) can pass first and the
      // answer says why it failed, rather than Prometheus giving up on the scrape.
      scrape_timeout: `${interval}s`,
      static_configs: [{ targets: config.probe.targets.map((t) => t.name) }],
      relabel_configs: [
        { source_labels: ['__address__'], target_label: '__param_target' },
        { source_labels: ['__param_target'], target_label: 'instance' },
        { target_label: '__address__', replacement: address },
      ],
    },
    {
      job_name: STACK_JOBS.probeSelf,
      static_configs: [{ targets: [address] }],
      relabel_configs: machineInstance(hostname),
    },
  ];
}

/**
 * `instance` is the machine (ARCHITECTURE.md): the target's host without its port, and this machine's
 * name for a loopback address, so two exporters on one machine join on instance.
 */
function machineInstance(hostname: string): RelabelConfig[] {
  return [
    { source_labels: ['__address__'], regex: '(.+):[0-9]+', target_label: 'instance', replacement: '$1' },
    {
      source_labels: ['__address__'],
      regex: LOOPBACK_ADDRESS,
      target_label: 'instance',
      replacement: hostname,
    },
  ];
}

/** "15s" or "1m" (the forms stack.scrape_interval allows) in seconds. */
function durationSeconds(duration: string): number {
  const value = Number.parseInt(duration, 10);
  return duration.endsWith('m') ? value * 60 : value;
}
