import type { Series } from './grid.ts';
import type { CostOptions } from './scenario.ts';
import type { Usage } from './usage.ts';

/**
 * One machine's power split into lines, step by step, the way the recording rules split it
 * (rules/recording.ts), so Σ workloads + idle + unattributed = the machine's power at every covered step:
 *
 * - idle draw: min(idle_watts, P) — what the machine burns doing nothing;
 * - GPU: each workload's GPU watts, scaled down together where they exceed P − idle (a GPU's own idle
 *   draw is already in the machine's idle, so GPU shares never eat into it);
 * - CPU: the rest of P − idle, by each workload's share of the cores the workloads used at that step;
 * - unattributed: that rest at a step where no workload used any CPU (or none has data) — it stays
 *   with the machine rather than vanish;
 * - idle sharing: idle draw moved onto workloads by CPU, memory or evenly; what has no one to go to
 *   (or all of it, with 'none') stays on the idle line.
 *
 * Steps without power data are null on every line.
 */

export type IdleShare = CostOptions['idle_share'];

export interface WorkloadLines {
  cpu: Series;
  gpu: Series;
  idle: Series;
}

export interface Attribution {
  /** min(idle_watts, P): the machine's idle draw before any sharing. */
  idle_draw: Series;
  /** The idle draw not shared out to workloads. */
  idle: Series;
  unattributed: Series;
  /** In the order of the usages given. */
  workloads: WorkloadLines[];
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Each workload's claim on the idle draw at step i; all zero leaves it on the idle line. */
function idleWeights(
  mode: IdleShare,
  usages: readonly Usage[],
  cores: readonly number[],
  i: number,
): readonly number[] {
  switch (mode) {
    case 'none':
      return usages.map(() => 0);
    case 'cpu':
      return cores;
    case 'memory':
      return usages.map((u) => u.memory_bytes[i] ?? 0);
    case 'even':
      return usages.map(() => 1);
  }
}

type Column = (number | null)[];

/** Splits a machine's power (on the grid) given its idle watts and its workloads' usage. */
export function attribute(
  power: Series,
  idleWatts: number,
  usages: readonly Usage[],
  mode: IdleShare,
): Attribution {
  const idleDraw: Column = [];
  const idleLine: Column = [];
  const unattributed: Column = [];
  const workloads = usages.map(() => ({ cpu: [] as Column, gpu: [] as Column, idle: [] as Column }));

  power.forEach((p, i) => {
    if (p === null) {
      for (const column of [idleDraw, idleLine, unattributed]) column.push(null);
      for (const line of workloads) for (const column of [line.cpu, line.gpu, line.idle]) column.push(null);
      return;
    }
    const idle = Math.min(idleWatts, p);
    const above = p - idle;

    const gpuAsked = usages.map((u) => u.gpu_watts[i] ?? 0);
    const gpuTotal = sum(gpuAsked);
    const gpu = gpuTotal > above ? gpuAsked.map((g) => (g * above) / gpuTotal) : gpuAsked;
    const cpuPower = Math.max(0, above - sum(gpu));

    const cores = usages.map((u) => u.cores[i] ?? 0);
    const coreTotal = sum(cores);
    const weights = idleWeights(mode, usages, cores, i);
    const weightTotal = sum(weights);

    idleDraw.push(idle);
    idleLine.push(weightTotal > 0 ? 0 : idle);
    unattributed.push(coreTotal > 0 ? 0 : cpuPower);
    workloads.forEach((line, w) => {
      line.gpu.push(gpu[w] ?? 0);
      line.cpu.push(coreTotal > 0 ? (cpuPower * (cores[w] ?? 0)) / coreTotal : 0);
      line.idle.push(weightTotal > 0 ? (idle * (weights[w] ?? 0)) / weightTotal : 0);
    });
  });
  return { idle_draw: idleDraw, idle: idleLine, unattributed, workloads };
}
