import { onGrid, type Series } from './grid.ts';
import type { Machine, Workload } from './scenario.ts';

/**
 * A workload's use of its machine on the grid. A series, where the scenario has one, is read as is: null
 * at a step means the workload was not seen then (stopped, or not scraped), so it takes no share there.
 * Without a series (a hand-written what-if), its summary figure stands for every step.
 */
export interface Usage {
  /** Cores of its machine. */
  cores: Series;
  /** Its share of the GPUs' power; no series, no GPU share. */
  gpu_watts: Series;
  memory_bytes: Series;
}

export function workloadUsage(workload: Workload, machine: Machine, n: number): Usage {
  const constant = (value: number): Series => new Array(n).fill(value);
  return {
    cores:
      workload.cpu_cores === undefined
        ? constant(workload.cpu.mean / machine.speed_score)
        : onGrid(workload.cpu_cores, n),
    gpu_watts: onGrid(workload.gpu_watts, n),
    memory_bytes:
      workload.memory_bytes === undefined
        ? constant(workload.memory.p95_bytes)
        : onGrid(workload.memory_bytes, n),
  };
}

/** Cores its workloads used at each step; null where none of them has data. */
export function usedCores(usages: readonly Usage[], n: number): Series {
  const used: (number | null)[] = new Array(n).fill(null);
  for (const usage of usages)
    for (let i = 0; i < n; i++) {
      const cores = usage.cores[i] ?? null;
      if (cores !== null) used[i] = (used[i] ?? 0) + cores;
    }
  return used;
}
