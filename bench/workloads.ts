/**
 * The workloads collector on 500 cgroups: milliseconds per collect, on two trees.
 * - "files": a generated cgroup v2 tree of N services, each a copy of a real captured container cgroup
 *   (fixtures/cgroup/v2_docker-container-scope), in a temporary directory. Runs anywhere and measures
 *   the agent's own work; the kernel's cost of generating cgroup files is not in it.
 * - "cgroupfs": N empty cgroups made in this machine's real cgroup hierarchies (v2 and, on hybrid
 *   systems, each v1 controller), read through --path.sysfs=/sys with everything else the machine
 *   runs. Needs root; skipped otherwise.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../common/config.ts';
import { silentLogger } from '../common/log.ts';
import type { HostPaths } from '../exporters/collector.ts';
import { createWorkloadsCollector } from '../exporters/collectors/workloads.ts';
import { fixturePath } from '../test/support/fixtures.ts';
import { percentile } from './proc-usage.ts';

export interface WorkloadsBenchResult {
  tree: 'files' | 'cgroupfs';
  cgroups: number;
  iterations: number;
  series: number;
  p50Ms: number;
  p99Ms: number;
}

async function timeCollects(
  tree: WorkloadsBenchResult['tree'],
  sysfs: string,
  cgroups: number,
  iterations: number,
): Promise<WorkloadsBenchResult> {
  const config = defaultConfig().agent;
  // Room for the machine's own services besides the generated ones, so none is folded.
  config.workloads.max_workloads = cgroups + 500;
  const paths: HostPaths = { procfs: '/proc', sysfs, rootfs: '/' };
  const collector = createWorkloadsCollector({ paths, config, log: silentLogger }, { resolvers: {} });
  for (let i = 0; i < 20; i++) await collector.collect();
  const times: number[] = [];
  let series = 0;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const families = await collector.collect();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    series = families.reduce((n, f) => n + f.samples.length, 0);
  }
  times.sort((a, b) => a - b);
  return { tree, cgroups, iterations, series, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

export async function benchWorkloadsOnFiles(cgroups: number, iterations: number) {
  const sysfs = mkdtempSync(path.join(os.tmpdir(), 'tierwise-bench-cgroups-'));
  try {
    const root = path.join(sysfs, 'fs/cgroup');
    const source = fixturePath('cgroup/v2_docker-container-scope');
    mkdirSync(path.join(root, 'system.slice'), { recursive: true });
    writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu io memory pids\n');
    for (let i = 0; i < cgroups; i++) {
      const dir = path.join(root, 'system.slice', `bench-${i}.service`);
      mkdirSync(dir);
      for (const file of readdirSync(source)) copyFileSync(path.join(source, file), path.join(dir, file));
    }
    return await timeCollects('files', sysfs, cgroups, iterations);
  } finally {
    rmSync(sysfs, { recursive: true, force: true });
  }
}

/** The hierarchies a cgroup can be made in here: v2 (pure, or hybrid's unified) and v1 controllers. */
function writableHierarchies(): string[] {
  const root = '/sys/fs/cgroup';
  if (existsSync(`${root}/cgroup.controllers`)) return [root];
  // cpu and cpuacct are one mount with two names on most distributions, two mounts on some.
  const dirs = ['unified', 'cpu', 'cpuacct', 'memory', 'blkio', 'pids']
    .map((d) => `${root}/${d}`)
    .filter((d) => existsSync(`${d}/cgroup.procs`));
  return [...new Set(dirs.map((d) => realpathSync(d)))];
}

export async function benchWorkloadsOnCgroupfs(
  cgroups: number,
  iterations: number,
): Promise<WorkloadsBenchResult | string> {
  if (process.getuid?.() !== 0) return 'skipped: making cgroups needs root';
  const made: string[] = [];
  const slice = `tierwise-bench-${process.pid}.slice`;
  const cleanUp = () => {
    for (const dir of made.reverse()) rmdirSync(dir);
    made.length = 0;
  };
  process.once('SIGINT', cleanUp);
  try {
    for (const hierarchy of writableHierarchies()) {
      made.push(`${hierarchy}/${slice}`);
      mkdirSync(`${hierarchy}/${slice}`);
      for (let i = 0; i < cgroups; i++) {
        made.push(`${hierarchy}/${slice}/bench-${i}.service`);
        mkdirSync(`${hierarchy}/${slice}/bench-${i}.service`);
      }
    }
    return await timeCollects('cgroupfs', '/sys', cgroups, iterations);
  } finally {
    cleanUp();
    process.removeListener('SIGINT', cleanUp);
  }
}
