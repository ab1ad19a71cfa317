import { type Dirent, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type HostPaths, sysPath } from '../collector.ts';
import type { CgroupV1Dirs } from './cgroup-usage.ts';

/**
 * Where this machine's cgroups live, found under --path.sysfs so a container that mounts the host's
 * /sys reads the host's tree: pure cgroup v2 (Debian 11+, Raspberry Pi OS bookworm), hybrid (v2 for
 * process tracking at fs/cgroup/unified, v1 controllers beside it: older systemd, this project's CI), or
 * v1 only (older Raspberry Pi OS and K3s installs).
 */
export interface CgroupHierarchy {
  /** The v2 tree, when mounted; it names every workload and gives CPU even in hybrid mode. */
  v2?: string;
  /** v1 controller roots, when mounted. */
  v1: { [K in keyof CgroupV1Dirs]?: string };
}

const V1_CONTROLLERS = ['cpuacct', 'cpu', 'memory', 'blkio', 'pids'] as const;

export function discoverHierarchy(paths: HostPaths): CgroupHierarchy | undefined {
  const root = sysPath(paths, 'fs/cgroup');
  if (existsSync(path.join(root, 'cgroup.controllers'))) return { v2: root, v1: {} };
  const hierarchy: CgroupHierarchy = { v1: {} };
  if (existsSync(path.join(root, 'unified/cgroup.controllers'))) hierarchy.v2 = path.join(root, 'unified');
  for (const controller of V1_CONTROLLERS) {
    // Distributions mount "cpu,cpuacct" together and add cpu and cpuacct as links to it.
    const dir = [controller, 'cpu,cpuacct']
      .map((d) => path.join(root, d))
      .find((d) => existsSync(path.join(d, 'cgroup.procs')));
    if (dir) hierarchy.v1[controller] = dir;
  }
  if (!hierarchy.v2 && Object.keys(hierarchy.v1).length === 0) return undefined;
  return hierarchy;
}

/** The tree the walker follows: v2 when mounted (it carries systemd's and every engine's names), else v1 cpuacct. */
export function walkRoot(h: CgroupHierarchy): string | undefined {
  return h.v2 ?? h.v1.cpuacct ?? h.v1.memory;
}

/**
 * The v1 controller directories one cgroup path would have. Not checked for existence (five checks per
 * cgroup were a third of a 500-cgroup scrape): a controller that does not track this cgroup simply has
 * no files there, which the readers take as no data.
 */
export function v1DirsFor(h: CgroupHierarchy, rel: string): CgroupV1Dirs {
  const dirs: CgroupV1Dirs = {};
  for (const controller of V1_CONTROLLERS) {
    const root = h.v1[controller];
    if (root) dirs[controller] = `${root}${rel}`;
  }
  return dirs;
}

/**
 * Walks the tree from its root, handing each cgroup's path (relative, as /proc/<pid>/cgroup prints it)
 * to `visit`; `visit` returns true to stop at that cgroup (a workload, whose counters already include
 * its children) or false to look inside (a slice). Synchronous: cgroupfs lives in memory.
 */
export function walkCgroups(root: string, visit: (rel: string) => boolean, maxDepth = 8): void {
  const step = (rel: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return; // removed while walking: a container that just stopped
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = rel === '/' ? `/${entry.name}` : `${rel}/${entry.name}`;
      if (!visit(child) && depth < maxDepth) step(child, depth + 1);
    }
  };
  step('/', 1);
}
