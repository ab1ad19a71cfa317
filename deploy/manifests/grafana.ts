import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configMap } from './render.ts';

/**
 * Grafana's dashboards and provisioning for K3s, as ConfigMaps built from the files the dashboards are
 * generated into (kustomize reads nothing outside its own directory). Whatever exists at generation
 * time goes in; the staleness test notices when the sources move on.
 */
export function dashboardsConfigMap(root: string): object {
  const dir = path.join(root, 'dashboards', 'generated');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  // grafana_dashboard: kube-prometheus-stack's Grafana sidecar loads every ConfigMap carrying it.
  return configMap(
    'tierwise-dashboards',
    Object.fromEntries(files.map((f) => [f, readFileSync(path.join(dir, f), 'utf8')])),
    { grafana_dashboard: '1' },
  );
}

/** The provisioning files Grafana reads at start, one ConfigMap per provisioning directory. */
const GRAFANA_PROVISIONING = {
  datasources: 'deploy/grafana/provisioning/datasources/prometheus.yml',
  dashboards: 'deploy/grafana/provisioning/dashboards/tierwise.yml',
} as const;

export function provisioningConfigMaps(root: string): object[] {
  return Object.entries(GRAFANA_PROVISIONING).map(([kind, file]) => {
    const full = path.join(root, file);
    return configMap(
      `grafana-provisioning-${kind}`,
      existsSync(full) ? { [path.basename(file)]: readFileSync(full, 'utf8') } : {},
    );
  });
}
