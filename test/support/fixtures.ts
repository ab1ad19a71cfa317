import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentConfig, defaultConfig } from '../../common/config.ts';
import { silentLogger } from '../../common/log.ts';
import type { CollectorContext, CollectorDefinition, HostPaths } from '../../exporters/collector.ts';
import type { MetricFamily } from '../../exporters/metrics.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The real captures shared by the team live beside the repository (../shared/fixtures). */
export const fixturesRoot = process.env.TIERWISE_FIXTURES ?? path.resolve(repoRoot, '../shared/fixtures');

export function fixturePath(...parts: string[]): string {
  return path.join(fixturesRoot, ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export function contextFor(paths: Partial<HostPaths>, config: Partial<AgentConfig> = {}): CollectorContext {
  return {
    paths: { procfs: '/nonexistent/proc', sysfs: '/nonexistent/sys', rootfs: '/nonexistent/root', ...paths },
    config: { ...defaultConfig().agent, ...config },
    log: silentLogger,
  };
}

export async function collectFrom(
  def: CollectorDefinition,
  paths: Partial<HostPaths>,
  config: Partial<AgentConfig> = {},
): Promise<MetricFamily[]> {
  return def.create(contextFor(paths, config)).collect();
}

/** Looks a sample up by family name and exact label set; undefined when absent. */
export function sampleValue(
  families: MetricFamily[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = families.find((f) => f.name === name);
  const want = JSON.stringify(Object.entries(labels).sort());
  return family?.samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}
