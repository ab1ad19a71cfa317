import { loadHighs } from './highs.ts';
import type { Problem } from './problem.ts';

/**
 * Placement as a mixed-integer programme, solved by HiGHS.
 *
 *   minimise  Σ_wm cost[w][m]·x[w][m] + Σ_m idle[m]·y[m] + Σ_{m always on} idle[m]
 *   subject to
 *     Σ_m x[w][m] = 1                                  every workload placed once
 *     Σ_w cpu[w][m]·x[w][m] ≤ cpuCapacity[m]·y[m]      and the same for memory and VRAM
 *     x[w][m] ≤ y[m]                                   tightens the relaxation (no big M)
 *     y[i] ≥ y[j] for interchangeable machines i < j   breaks their symmetry
 *
 * x exists only where a workload may run (arch, GPU, pins, tiers, always-on), so those rules cost no
 * rows; y exists only for machines that may be switched off. The greedy plan is the MIP start, so the
 * solver never returns anything worse, and the offset makes its gap relative to the whole weekly cost.
 */

export interface MilpOptions {
  /** From the call; building the model counts. */
  timeLimitSeconds: number;
  /** Stop once the plan is proven within this fraction of the optimum. */
  relativeGap: number;
  /** A valid assignment to start from (the greedy plan). */
  start?: readonly number[];
  /** Above this many columns, one link row per machine instead of one per pair (default below). */
  tightLinksMaxColumns?: number;
}

export interface MilpOutcome {
  /** 'no-plan': the time limit passed before any plan was found. */
  status: 'optimal' | 'time-limit' | 'infeasible' | 'no-plan';
  assignment?: number[];
  /** Relative gap between the plan's cost and the best bound, when a plan exists. */
  gap?: number;
  /** Best lower bound on the weekly cost proven. */
  bound?: number;
}

const GIB = 1024 ** 3;

/**
 * Up to this many columns each x[w][m] gets its own x ≤ y row: a tight relaxation that proves small
 * plans optimal fast. Beyond it (a 50-machine lab has 25,000 pairs) those rows are most of the model and
 * most of the solver's memory (317 MiB against 221 MiB at 50 × 500, the same plan found: docs/benchmarks.md),
 * and the capacity rows, which already switch a machine's workloads off with it, carry the link alone.
 */
const TIGHT_LINKS_MAX_COLUMNS = 5000;

/** Sparse rows in CSR form, as HiGHS takes them. */
class Rows {
  readonly starts: number[] = [0];
  readonly indices: number[] = [];
  readonly values: number[] = [];
  readonly lower: number[] = [];
  readonly upper: number[] = [];

  add(lower: number, upper: number, entries: readonly (readonly [number, number])[]): void {
    for (const [column, value] of entries) {
      this.indices.push(column);
      this.values.push(value);
    }
    this.starts.push(this.indices.length);
    this.lower.push(lower);
    this.upper.push(upper);
  }
}

/**
 * Machines that every workload sees alike (same cost, rules and capacity): swapping what two of them
 * carry changes nothing, so only the plans that switch on the first ones are worth the solver's time.
 */
function interchangeable(p: Problem, switchable: readonly number[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const m of switchable) {
    const parts: unknown[] = [p.model.idleCost[m], p.cpuCapacity[m], p.memoryCapacity[m], p.vramCapacity[m]];
    p.model.workloads.forEach((_, w) => {
      parts.push(
        (p.allowed[w] ?? []).includes(m) ? `${p.model.workloadCost[w]?.[m]}/${p.cpuDemand[w]?.[m]}` : '-',
      );
    });
    const key = parts.join(',');
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

export async function solveMilp(p: Problem, options: MilpOptions): Promise<MilpOutcome> {
  const entered = performance.now();
  const { model } = p;
  const alwaysOnIdle = model.idleCost.reduce((sum, idle, m) => sum + (model.forcedOn[m] ? idle : 0), 0);
  // Nothing to place: one plan, and HiGHS refuses a start for a model with no columns.
  if (model.workloads.length === 0) return { status: 'optimal', assignment: [], gap: 0, bound: alwaysOnIdle };
  const highs = await loadHighs();
  const machines = model.machines.length;
  const cost: number[] = [];
  // Columns: x per allowed (workload, machine), then y per machine that may be switched off.
  const column = (objective: number) => cost.push(objective) - 1;
  const xColumn = p.allowed.map((allowed, w) =>
    allowed.map((m) => column(model.workloadCost[w]?.[m] as number)),
  );
  const used = new Set(p.allowed.flat());
  const yColumn = new Array<number>(machines).fill(-1);
  const switchable: number[] = [];
  for (let m = 0; m < machines; m++) {
    if (model.forcedOn[m] || !used.has(m)) continue;
    yColumn[m] = column(model.idleCost[m] as number);
    switchable.push(m);
  }

  const rows = new Rows();
  const tightLinks = cost.length <= (options.tightLinksMaxColumns ?? TIGHT_LINKS_MAX_COLUMNS);
  for (const columns of xColumn)
    rows.add(
      1,
      1,
      columns.map((c) => [c, 1] as const),
    );
  const onMachine: [number, number][][] = Array.from({ length: machines }, () => []);
  p.allowed.forEach((allowed, w) => {
    allowed.forEach((m, k) => {
      onMachine[m]?.push([w, xColumn[w]?.[k] as number]);
    });
  });
  onMachine.forEach((entries, m) => {
    if (entries.length === 0) return;
    const y = yColumn[m] as number;
    const capacityRow = (demand: (w: number) => number, capacity: number) => {
      const row: [number, number][] = entries.map(([w, c]) => [c, demand(w)]);
      if (y >= 0) rows.add(Number.NEGATIVE_INFINITY, 0, [...row, [y, -capacity]]);
      else rows.add(Number.NEGATIVE_INFINITY, capacity, row);
    };
    capacityRow((w) => p.cpuDemand[w]?.[m] as number, p.cpuCapacity[m] as number);
    capacityRow((w) => (p.memoryDemand[w] as number) / GIB, (p.memoryCapacity[m] as number) / GIB);
    const vram = p.vramCapacity[m] as number;
    if (vram > 0) capacityRow((w) => (p.vramDemand[w] as number) / GIB, vram / GIB);
    if (y < 0) return;
    if (tightLinks)
      for (const [, c] of entries)
        rows.add(Number.NEGATIVE_INFINITY, 0, [
          [c, 1],
          [y, -1],
        ]);
    // One row instead of one per pair: a workload with no demand still cannot sit on a machine that is off.
    else
      rows.add(Number.NEGATIVE_INFINITY, 0, [
        ...entries.map(([, c]) => [c, 1] as const),
        [y, -entries.length],
      ]);
  });
  for (const group of interchangeable(p, switchable))
    for (let k = 0; k + 1 < group.length; k++)
      rows.add(0, Number.POSITIVE_INFINITY, [
        [yColumn[group[k] as number] as number, 1],
        [yColumn[group[k + 1] as number] as number, -1],
      ]);

  const solver = highs.createModel({
    numCols: cost.length,
    numRows: rows.lower.length,
    offset: alwaysOnIdle,
    colCost: cost,
    colLower: new Array<number>(cost.length).fill(0),
    colUpper: new Array<number>(cost.length).fill(1),
    rowLower: rows.lower,
    rowUpper: rows.upper,
    matrix: {
      format: 'csr',
      numRows: rows.lower.length,
      numCols: cost.length,
      starts: rows.starts,
      indices: rows.indices,
      values: rows.values,
    },
    integrality: new Array(cost.length).fill(highs.constants.variableType.integer),
  });
  try {
    solver.options.set({
      output_flag: false,
      // The limit covers building the model too, which HiGHS's own clock does not see.
      time_limit: Math.max(options.timeLimitSeconds - (performance.now() - entered) / 1000, 0.01),
      mip_rel_gap: options.relativeGap,
      // No restart (presolving again after the root node): with restarts the solver's heap reached 218
      // MiB at 50 × 500 against 126 MiB without, and the placement benchmark's plans were as good or
      // better without them (docs/benchmarks.md).
      mip_allow_restart: false,
    });
    if (options.start) {
      const start = new Array<number>(cost.length).fill(0);
      options.start.forEach((m, w) => {
        const k = p.allowed[w]?.indexOf(m) ?? -1;
        if (k >= 0) start[xColumn[w]?.[k] as number] = 1;
        if ((yColumn[m] as number) >= 0) start[yColumn[m] as number] = 1;
      });
      solver.setSolution({ colValue: start });
    }
    const { modelStatus } = solver.run();
    const status = highs.constants.modelStatus;
    if (modelStatus === status.infeasible) return { status: 'infeasible' };
    const hasPlan =
      Number(solver.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    if (!hasPlan) return { status: 'no-plan' };
    const values = solver.getSolution().colValue;
    const assignment = p.allowed.map((allowed, w) => {
      const k = allowed.findIndex((_, k) => (values[xColumn[w]?.[k] as number] as number) > 0.5);
      return allowed[k] as number;
    });
    return {
      status: modelStatus === status.optimal ? 'optimal' : 'time-limit',
      assignment,
      gap: Number(solver.info.get('mip_gap')),
      bound: Number(solver.info.get('mip_dual_bound')),
    };
  } finally {
    solver.dispose();
  }
}
