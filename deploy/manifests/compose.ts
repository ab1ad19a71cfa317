import { alertmanagerFiles } from '../../alertmanager/generate.ts';
import type { TierwiseConfig } from '../../common/config.ts';
import { renderRuleFile, ruleFiles } from '../../rules/index.ts';
import { STACK_JOBS } from '../stack/config.ts';
import type { Relabel } from './probe-shards.ts';

/** The compose project's own name for the GPU box: the `instance` of everything it runs. */
const COMPOSE_MACHINE = 'gpu-box';

/** Paths inside the Prometheus container (deploy/compose/compose.yaml mounts them). */
const RULES_DIR = '/etc/prometheus/rules';

const thisMachine: Relabel[] = [{ target_label: 'instance', replacement: COMPOSE_MACHINE }];

/**
 * prometheus.yml for the compose stack on the GPU box. The agent runs in the host's network (its
 * /proc/net must be the machine's), so Prometheus reaches it through the host gateway; the rest are
 * compose services. Everything here is the one machine, so `instance` is its name.
 */
export function composePrometheusConfig(): object {
  const job = (job_name: string, target: string) => ({
    job_name,
    static_configs: [{ targets: [target] }],
    relabel_configs: thisMachine,
  });
  return {
    global: { scrape_interval: '15s', scrape_timeout: '10s', evaluation_interval: '15s' },
    rule_files: [`${RULES_DIR}/*.yml`],
    alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
    scrape_configs: [
      job(STACK_JOBS.agent, 'host.docker.internal:10090'),
      // Its cost series name the machine they price in `instance`: kept, not exported_instance.
      { ...job(STACK_JOBS.collector, 'collector:10092'), honor_labels: true },
      job(STACK_JOBS.prometheus, 'localhost:9090'),
      job(STACK_JOBS.alertmanager, 'alertmanager:9093'),
    ],
  };
}

/** The rule files and alertmanager.yml for the compose project's tierwise.yml. */
export function composeRuleAndAlertFiles(config: TierwiseConfig): {
  rules: { file: string; text: string }[];
  alertmanager: { file: string; text: string }[];
} {
  return {
    rules: ruleFiles(config).map((f) => ({ file: f.file, text: renderRuleFile(f) })),
    alertmanager: alertmanagerFiles(config.alerting),
  };
}
