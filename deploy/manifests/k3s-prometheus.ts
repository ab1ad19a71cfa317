import { STACK_JOBS } from '../stack/config.ts';
import { K3S_PROBE_SHARDS_CONFIG, type Relabel, shardedProbeRelabeling } from './probe-shards.ts';

const SCRAPE_INTERVAL_SECONDS = 15;
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Where deploy/k3s/monitoring/prometheus/prometheus.yaml mounts the rule files ConfigMap. */
const K3S_RULES_DIR = '/etc/prometheus/rules';
/** The Service of deploy/k3s/monitoring/prometheus/alertmanager.yaml. */
const ALERTMANAGER = 'alertmanager:9093';

/** Pods of one tierwise component in the tierwise namespace, found through the API server. */
function podsOf(name: string, port: string, instance: string): object {
  const relabel: Relabel[] = [
    { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], regex: name, action: 'keep' },
    { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: port, action: 'keep' },
    { source_labels: [instance], target_label: 'instance' },
  ];
  return {
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['tierwise'] } }],
    relabel_configs: relabel,
  };
}

/**
 * prometheus.yml for a K3s cluster without the Prometheus operator: every target found with
 * kubernetes_sd, `instance` always the node (ARCHITECTURE.md) for machine series. K3s runs the scheduler,
 * controller manager and proxy inside the k3s process with no metrics port of their own, so there are no
 * jobs for them; the kubelet's cAdvisor is read directly on each node (nodes/metrics in the RBAC).
 */
export function k3sPrometheusConfig(probeTargets: string[]): object {
  return {
    global: {
      scrape_interval: `${SCRAPE_INTERVAL_SECONDS}s`,
      scrape_timeout: '10s',
      evaluation_interval: `${SCRAPE_INTERVAL_SECONDS}s`,
    },
    rule_files: [`${K3S_RULES_DIR}/*.yml`],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [ALERTMANAGER] }] }] },
    scrape_configs: [
      {
        job_name: STACK_JOBS.agent,
        ...podsOf('tierwise-agent', 'metrics', '__meta_kubernetes_pod_node_name'),
      },
      {
        job_name: STACK_JOBS.probe,
        metrics_path: '/probe',
        // A slow target's own deadline (timeout_seconds) passes first and the answer says why.
        scrape_timeout: `${SCRAPE_INTERVAL_SECONDS}s`,
        static_configs: [{ targets: probeTargets }],
        relabel_configs: shardedProbeRelabeling(K3S_PROBE_SHARDS_CONFIG),
      },
      {
        job_name: STACK_JOBS.probeSelf,
        ...podsOf('tierwise-probe', 'http', '__meta_kubernetes_pod_name'),
      },
      {
        job_name: STACK_JOBS.collector,
        // Its cost series name the machine they price in `instance`: kept, not exported_instance.
        honor_labels: true,
        ...podsOf('tierwise-collector', 'http', '__meta_kubernetes_pod_name'),
      },
      {
        job_name: 'kubelet-cadvisor',
        scheme: 'https',
        metrics_path: '/metrics/cadvisor',
        kubernetes_sd_configs: [{ role: 'node' }],
        // K3s's kubelet serves a self-signed certificate for its node name only.
        tls_config: { ca_file: `${SERVICE_ACCOUNT}/ca.crt`, insecure_skip_verify: true },
        authorization: { credentials_file: `${SERVICE_ACCOUNT}/token` },
        relabel_configs: [{ source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' }],
      },
      {
        job_name: STACK_JOBS.prometheus,
        static_configs: [{ targets: ['localhost:9090'] }],
      },
      {
        job_name: STACK_JOBS.alertmanager,
        static_configs: [{ targets: [ALERTMANAGER] }],
      },
    ],
  };
}
