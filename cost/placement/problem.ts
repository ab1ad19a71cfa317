import { buildCostModel, type CostModel } from '../model.ts';
import { cpuRequestCores, memoryRequestBytes } from '../rightsizing.ts';
import type { Machine, Scenario, Workload } from '../scenario.ts';

/**
 * The placement problem both solvers work on: the cost model plus, per workload, the machines it may
 * run on and what it takes of each capacity. Capacities are the right-sized requests (cost/rightsizing),
 * so a plan fits the requests it recommends.
 */
export interface Problem {
  model: CostModel;
  /** [workload][machine]: why it may not run there, or undefined where it may. */
  reasons: (string | undefined)[][];
  /** Per workload, the indices of the machines it may run on, in machine order. */
  allowed: number[][];
  /** [workload][machine]: CPU request in cores of that machine. */
  cpuDemand: number[][];
  /** Per machine: cores placement may fill (cpu_headroom of them). */
  cpuCapacity: number[];
  memoryDemand: number[];
  memoryCapacity: number[];
  /** VRAM a workload holds; it counts only on a machine with GPUs. */
  vramDemand: number[];
  vramCapacity: number[];
}

/** Loads within this fraction of a capacity fit: the MILP's own feasibility tolerance is 1e-6. */
export const CAPACITY_TOLERANCE = 1e-6;

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

const hasGpu = (m: Machine) => m.gpus.length > 0;
const over = (load: number, capacity: number) => load > capacity * (1 + CAPACITY_TOLERANCE);

/**
 * Why workload `w` may not run on `m` (the first rule it breaks, in words that hold for any machine
 * breaking it, so notes can group them), or undefined when it may.
 */
function whyNot(
  w: Workload,
  m: Machine,
  current: Machine | undefined,
  scenario: Scenario,
): string | undefined {
  if (w.arches.length > 0 && !w.arches.includes(m.arch))
    return `its image runs on ${w.arches.join('/')} only`;
  if (w.needs_gpu && !hasGpu(m)) return 'it needs a GPU';
  const vram = w.gpu?.vram_bytes ?? 0;
  if (hasGpu(m) && vram > Math.max(...m.gpus.map((g) => g.vram_bytes)))
    return `it holds ${gib(vram)} of VRAM, more than the GPU has`;
  if (w.pin !== undefined && w.pin !== m.name && w.pin !== m.tier) return `it is pinned to ${w.pin}`;
  if (w.latency_sensitive && current !== undefined && m.tier !== current.tier)
    return `it is latency-sensitive and stays on tier ${current.tier}`;
  if (w.always_on && !(m.always_on || !m.may_power_off))
    return 'it needs a machine that is never switched off';
  if (over(cpuRequestCores(w, m), scenario.options.cpu_headroom * m.cpu_cores))
    return "its CPU request is over the machine's limit";
  if (over(memoryRequestBytes(w, scenario.options.memory_margin), m.memory_bytes))
    return 'its memory request is more than the machine has';
  return undefined;
}

export function buildProblem(scenario: Scenario): Problem {
  const { options, machines, workloads } = scenario;
  const byName = new Map(machines.map((m) => [m.name, m]));
  const reasons = workloads.map((w) => machines.map((m) => whyNot(w, m, byName.get(w.machine), scenario)));
  return {
    model: buildCostModel(scenario),
    reasons,
    allowed: reasons.map((row) => row.flatMap((reason, m) => (reason === undefined ? [m] : []))),
    cpuDemand: workloads.map((w) => machines.map((m) => cpuRequestCores(w, m))),
    cpuCapacity: machines.map((m) => options.cpu_headroom * m.cpu_cores),
    memoryDemand: workloads.map((w) => memoryRequestBytes(w, options.memory_margin)),
    memoryCapacity: machines.map((m) => m.memory_bytes),
    vramDemand: workloads.map((w) => w.gpu?.vram_bytes ?? 0),
    vramCapacity: machines.map((m) => m.gpus.reduce((sum, g) => sum + g.vram_bytes, 0)),
  };
}

/** Per machine, what an assignment puts on it: CPU cores, memory and VRAM requested. */
function loads(problem: Problem, assignment: readonly number[]) {
  const n = problem.model.machines.length;
  const cpu = new Array<number>(n).fill(0);
  const memory = new Array<number>(n).fill(0);
  const vram = new Array<number>(n).fill(0);
  assignment.forEach((m, w) => {
    cpu[m] = (cpu[m] ?? 0) + (problem.cpuDemand[w]?.[m] ?? 0);
    memory[m] = (memory[m] ?? 0) + (problem.memoryDemand[w] ?? 0);
    if ((problem.vramCapacity[m] ?? 0) > 0) vram[m] = (vram[m] ?? 0) + (problem.vramDemand[w] ?? 0);
  });
  return { cpu, memory, vram };
}

/** Every constraint an assignment breaks, one line each; empty when it is a valid placement. */
export function violations(problem: Problem, assignment: readonly number[]): string[] {
  const { machines, workloads } = problem.model;
  const found: string[] = [];
  assignment.forEach((m, w) => {
    const reason = problem.reasons[w]?.[m];
    if (reason !== undefined) found.push(`${workloads[w]?.name} on ${machines[m]?.name}: ${reason}`);
  });
  const load = loads(problem, assignment);
  machines.forEach((machine, m) => {
    const cpu = load.cpu[m] ?? 0;
    const cpuCapacity = problem.cpuCapacity[m] ?? 0;
    if (over(cpu, cpuCapacity))
      found.push(
        `${machine.name}: CPU requests ${cpu.toFixed(2)} cores, over its ${cpuCapacity.toFixed(2)}-core limit (cpu_headroom × ${machine.cpu_cores} cores)`,
      );
    const memory = load.memory[m] ?? 0;
    if (over(memory, machine.memory_bytes))
      found.push(
        `${machine.name}: memory requests ${gib(memory)}, more than its ${gib(machine.memory_bytes)}`,
      );
    const vram = load.vram[m] ?? 0;
    if (over(vram, problem.vramCapacity[m] ?? 0))
      found.push(
        `${machine.name}: workloads hold ${gib(vram)} of VRAM, more than its ${gib(problem.vramCapacity[m] ?? 0)}`,
      );
  });
  return found;
}
