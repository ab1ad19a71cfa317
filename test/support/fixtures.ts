import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
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

/** The procfs trees under proc-sys/ that several collector tests read. */
export const procTrees = {
  /** node_exporter's fixture tree, the one its end-to-end output (node-exporter-golden.ts) came from. */
  nodeExporter: fixturePath('proc-sys/node_exporter__proc'),
  /** A Core i7-8650U laptop, as prometheus/procfs captured it. */
  i7: fixturePath('proc-sys/x86-intel-i7-8650u__procfs/proc'),
  /** A Pentium 4 server of which only cpuinfo was captured: every other file is missing. */
  pentium4: fixturePath('proc-sys/i386-dell-pe700-pentium4/proc'),
};

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

/** A fresh directory, removed when the running test ends; call it from a test or a beforeEach hook. */
export async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `tierwise-${name}-`));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A fresh directory (see tempDir) holding `files` (relative path → text) and `links` (relative path →
 * link target), for a procfs or sysfs tree with just what a test needs.
 */
export async function tempTree(
  name: string,
  files: Record<string, string>,
  links: Record<string, string> = {},
): Promise<string> {
  const root = await tempDir(name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  for (const [link, target] of Object.entries(links)) {
    await mkdir(path.dirname(path.join(root, link)), { recursive: true });
    await symlink(target, path.join(root, link));
  }
  return root;
}
