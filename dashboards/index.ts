import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatJson } from '../common/json-format.ts';
import type { DashboardExport } from './dashboard.ts';
import { gpuDashboard } from './gpu.ts';
import { machineDashboard } from './machine.ts';
import { overviewDashboard } from './overview.ts';
import { placementDashboard } from './placement.ts';
import { selfDashboard } from './self.ts';
import { workloadsDashboard } from './workloads.ts';

export const GENERATED_DASHBOARDS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generated');

/** Every dashboard, by the file name it is committed and provisioned under. */
export function dashboards(): { file: string; dashboard: DashboardExport }[] {
  return [
    { file: 'overview.json', dashboard: overviewDashboard() },
    { file: 'machine.json', dashboard: machineDashboard() },
    { file: 'gpu.json', dashboard: gpuDashboard() },
    { file: 'workloads.json', dashboard: workloadsDashboard() },
    { file: 'placement.json', dashboard: placementDashboard() },
    { file: 'self.json', dashboard: selfDashboard() },
  ];
}

/**
 * dashboards/generated/*.json: what Grafana imports (grafana.com style, with `__inputs`) or provisions
 * (deploy/grafana/provisioning/dashboards/tierwise.yml).
 */
export function dashboardFiles(): { path: string; text: string }[] {
  return dashboards().map((d) => ({
    path: path.join(GENERATED_DASHBOARDS_DIR, d.file),
    text: `${formatJson(d.dashboard)}\n`,
  }));
}
