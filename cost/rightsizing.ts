import type { Machine, Workload } from './scenario.ts';

/**
 * KRR-style requests: CPU from the p95 of its use, memory from its peak plus a margin. Placement sizes
 * capacity with the same figures, so a plan never relies on requests tighter than the ones it suggests.
 */

/** Requests step by 0.05 core; kept as steps per core so 3 steps is 0.15, not 0.15000000000000002. */
const CPU_STEPS_PER_CORE = 20;
const CPU_MIN_CORES = 0.01;
const MIB = 1024 ** 2;
/** p95 / speed × 20 can land a hair above a whole step through float error; never round that up. */
const EPSILON = 1e-9;

/** Cores of the target machine: p95 score-cores over its speed score, up to the next 0.05 core. */
export function cpuRequestCores(w: Workload, target: Machine): number {
  const steps = Math.ceil((w.cpu.p95 / target.speed_score) * CPU_STEPS_PER_CORE - EPSILON);
  return Math.max(CPU_MIN_CORES, steps / CPU_STEPS_PER_CORE);
}

/** Peak memory plus `margin` of it, up to the next MiB. */
export function memoryRequestBytes(w: Workload, margin: number): number {
  return Math.max(0, Math.ceil((w.memory.max_bytes * (1 + margin)) / MIB - EPSILON)) * MIB;
}
