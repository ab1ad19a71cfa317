import type { RuleFile } from '../../rules/types.ts';
import { STACK_JOBS } from '../stack/config.ts';
import { K3S_PROBE_SHARDS_CONFIG, type Relabel, shardedProbeRelabeling } from './probe-shards.ts';

/** kube-prometheus-stack's default selectors pick up objects with its Helm release's label. */
const RELEASE_LABEL = { release: 'kube-prometheus-stack' };

/** The tierwise rule files as one PrometheusRule, for the operator to load. */
export function prometheusRule(files: RuleFile[]): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'tierwise', labels: RELEASE_LABEL },
    spec: { groups: files.flatMap((f) => f.groups) },
  };
}

/** snake_case relabel steps as the operator's CRDs spell them. */
function camelRelabel(r: Relabel): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(r).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  );
}

/**
 * The sharded SSH probe job as a ScrapeConfig (monitoring.coreos.com/v1alpha1): neither a ServiceMonitor
 * nor a Probe lets the scrape address be chosen per target, which the hashmod sharding needs.
 */
export function probeScrapeConfig(probeTargets: string[]): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'ScrapeConfig',
    metadata: { name: STACK_JOBS.probe, labels: RELEASE_LABEL },
    spec: {
      metricsPath: '/probe',
      scrapeInterval: '15s',
      scrapeTimeout: '15s',
      staticConfigs: [{ targets: probeTargets }],
      relabelings: shardedProbeRelabeling(K3S_PROBE_SHARDS_CONFIG).map(camelRelabel),
    },
  };
}
