import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertmanagerFiles } from '../../alertmanager/generate.ts';
import { parseConfig, type TierwiseConfig } from '../../common/config.ts';
import { renderRuleFile, ruleFiles } from '../../rules/index.ts';
import { composePrometheusConfig, composeRuleAndAlertFiles } from './compose.ts';
import { dashboardsConfigMap, provisioningConfigMaps } from './grafana.ts';
import { k3sPrometheusConfig } from './k3s-prometheus.ts';
import { probeScrapeConfig, prometheusRule } from './kube-prometheus-stack.ts';
import { configMap, type GeneratedFile, renderObjects, renderYaml } from './render.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const K3S = path.join(ROOT, 'deploy', 'k3s');
const COMPOSE = path.join(ROOT, 'deploy', 'compose');

function readConfig(file: string): TierwiseConfig {
  return parseConfig(readFileSync(file, 'utf8'), file);
}

/** The K3s manifests built from the base's tierwise.yml, rules/ and the generated dashboards. */
export function k3sFiles(): GeneratedFile[] {
  const config = readConfig(path.join(K3S, 'base', 'tierwise.yml'));
  const rules = ruleFiles(config);
  const targets = config.probe.targets.map((t) => t.name);
  const plain = path.join(K3S, 'monitoring', 'prometheus');
  const operator = path.join(K3S, 'monitoring', 'kube-prometheus-stack');
  return [
    {
      path: path.join(K3S, 'dashboards', 'dashboards.yaml'),
      text: renderObjects([dashboardsConfigMap(ROOT)]),
    },
    { path: path.join(operator, 'prometheus-rule.yaml'), text: renderObjects([prometheusRule(rules)]) },
    {
      path: path.join(operator, 'probe-scrape-config.yaml'),
      text: renderObjects([probeScrapeConfig(targets)]),
    },
    {
      path: path.join(plain, 'prometheus-config.yaml'),
      text: renderObjects([
        configMap('prometheus-config', { 'prometheus.yml': renderYaml(k3sPrometheusConfig(targets)) }),
      ]),
    },
    {
      path: path.join(plain, 'prometheus-rules.yaml'),
      text: renderObjects([
        configMap('prometheus-rules', Object.fromEntries(rules.map((f) => [f.file, renderRuleFile(f)]))),
      ]),
    },
    {
      path: path.join(plain, 'grafana-provisioning.yaml'),
      text: renderObjects(provisioningConfigMaps(ROOT)),
    },
    {
      path: path.join(plain, 'alertmanager-config.yaml'),
      // ConfigMap keys are plain names: the Deployment maps the template back into templates/.
      text: renderObjects([
        configMap(
          'alertmanager-config',
          Object.fromEntries(alertmanagerFiles(config.alerting).map((f) => [path.basename(f.file), f.text])),
        ),
      ]),
    },
  ];
}

/** The compose project's Prometheus and Alertmanager files, from its own tierwise.yml. */
export function composeFiles(): GeneratedFile[] {
  const config = readConfig(path.join(COMPOSE, 'tierwise.yml'));
  const { rules, alertmanager } = composeRuleAndAlertFiles(config);
  return [
    { path: path.join(COMPOSE, 'prometheus', 'prometheus.yml'), text: renderYaml(composePrometheusConfig()) },
    ...rules.map((f) => ({ path: path.join(COMPOSE, 'prometheus', 'rules', f.file), text: f.text })),
    ...alertmanager.map((f) => ({ path: path.join(COMPOSE, 'alertmanager', f.file), text: f.text })),
  ];
}

/** Every generated deployment file, for scripts/generate.ts. */
export function deployFiles(): GeneratedFile[] {
  return [...k3sFiles(), ...composeFiles()];
}
