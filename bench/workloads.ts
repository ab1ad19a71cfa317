/**
 * The workloads collector on a generated cgroup v2 tree of N services, each a copy of a real captured
 * container cgroup (fixtures/cgroup/v2_docker-container-scope): milliseconds per collect.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../common/config.ts';
import { silentLogger } from '../common/log.ts';
import { createWorkloadsCollector } from '../exporters/collectors/workloads.ts';
import { fixturePath } from '../test/support/fixtures.ts';
import { percentile } from './proc-usage.ts';

export async function benchWorkloads(cgroups: number, iterations: number) {
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
    const config = defaultConfig().agent;
    config.workloads.max_workloads = cgroups;
    const collector = createWorkloadsCollector(
      { paths: { procfs: '/proc', sysfs, rootfs: '/' }, config, log: silentLogger },
      { resolvers: {} },
    );
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
    return { cgroups, iterations, series, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
  } finally {
    rmSync(sysfs, { recursive: true, force: true });
  }
}
