import { type CollectorContext, type HostPaths, procPath, readOptionalSync } from '../collector.ts';
import { HOST_OTHER, nameIdentity, type WorkloadName } from '../collectors/workloads.ts';
import { parseProcCgroup } from '../parsers/cgroup.ts';
import type { ComputeApp } from '../parsers/nvidia-smi.ts';
import { createEngineResolvers, type EngineResolvers } from '../workloads/engines.ts';
import { type CgroupIdentity, identifyCgroup } from '../workloads/identity.ts';
import { createRenamer } from '../workloads/rename.ts';

/** VRAM one workload holds on one GPU: its processes' memory, summed. */
export interface WorkloadVram {
  gpuUuid: string;
  workload: WorkloadName;
  bytes: number;
}

/**
 * The identity of the cgroup a process sits in, as the workloads collector's walk would find it: the
 * walk stops at the first cgroup from the root that names a workload and charges everything below it to
 * that one, so the shortest prefix of the process's path that names one wins (a pod, not its container;
 * a service, not its sub-cgroup).
 */
export function identifyProcessCgroup(
  cgroupPath: string,
): { identity: CgroupIdentity; rel: string } | undefined {
  const segments = cgroupPath.split('/').filter((s) => s !== '');
  for (let i = 1; i <= segments.length; i++) {
    const rel = `/${segments.slice(0, i).join('/')}`;
    const identity = identifyCgroup(rel);
    if (identity) return { identity, rel };
  }
  return undefined;
}

/**
 * The cgroup path of a process from /proc/<pid>/cgroup: the unified (v2) one, else the v1 hierarchy the
 * workloads collector walks (cpuacct, then memory). Undefined when the process is gone.
 */
export function processCgroupPath(paths: HostPaths, pid: number): string | undefined {
  const file = procPath(paths, String(pid), 'cgroup');
  const text = readOptionalSync(file);
  if (text === undefined) return undefined;
  const cgroup = parseProcCgroup(text, file);
  return cgroup.v2Path ?? cgroup.v1.get('cpuacct') ?? cgroup.v1.get('cpu') ?? cgroup.v1.get('memory');
}

/**
 * Names GPU processes by workload with the workloads collector's identity (and its renames, and its
 * Docker/Kubernetes lookups), so `tierwise_gpu_process_memory_bytes` joins `tierwise_workload_*` on
 * {workload, kind, namespace}. Processes outside any workload are host/other, as there.
 *
 * The engine APIs are asked only once a GPU process is found in a container or pod, through resolvers
 * of this collector's own: the collectors share no state, and a GPU box without containers never opens
 * Docker's socket for this.
 */
export class ProcessWorkloads {
  private resolvers: EngineResolvers | undefined;
  private readonly renamed: (name: string) => string;

  constructor(
    private readonly ctx: CollectorContext,
    resolvers?: EngineResolvers,
  ) {
    this.resolvers = resolvers;
    this.renamed = createRenamer(ctx.config.workloads.rename);
  }

  /** Sums each workload's VRAM per GPU; apps whose memory the driver does not report are left out. */
  async attribute(apps: ComputeApp[]): Promise<WorkloadVram[]> {
    const found = apps.flatMap((app) => {
      if (app.usedMemoryBytes === undefined) return [];
      const cgroupPath = this.cgroupPathOf(app.pid);
      // Gone since nvidia-smi listed it.
      if (cgroupPath === undefined) return [];
      return [{ app, bytes: app.usedMemoryBytes, where: identifyProcessCgroup(cgroupPath) }];
    });
    if (found.some((f) => f.where && f.where.identity.workload === undefined)) {
      this.resolvers ??= createEngineResolvers(this.ctx);
      // Waits for a listing only when one is due; each resolver has its own timeout.
      await Promise.all(Object.values(this.resolvers).map((r) => r?.refresh()));
    }
    const sums = new Map<string, WorkloadVram>();
    for (const { app, bytes, where } of found) {
      const named: WorkloadName = where
        ? nameIdentity(where.identity, where.rel, this.resolvers ?? {})
        : { name: HOST_OTHER, kind: 'process', namespace: '' };
      const workload = { ...named, name: this.renamed(named.name) };
      const key = `${app.gpuUuid}\u0000${workload.name}`;
      const seen = sums.get(key);
      if (seen) seen.bytes += bytes;
      else sums.set(key, { gpuUuid: app.gpuUuid, workload, bytes });
    }
    return [...sums.values()];
  }

  private cgroupPathOf(pid: number): string | undefined {
    try {
      return processCgroupPath(this.ctx.paths, pid);
    } catch (err) {
      this.ctx.log.debug({ pid, err: (err as Error).message }, 'unreadable /proc/<pid>/cgroup');
      return undefined;
    }
  }
}
