import { weeklyCost } from '../model.ts';
import { CAPACITY_TOLERANCE, type Problem } from './problem.ts';

/**
 * The greedy plan: the MILP's warm start, and the plan reported when the MILP finds none in time.
 * Local search (move single workloads where that is cheaper; empty whole machines whose idle power
 * costs more than running their workloads elsewhere) from three starts, the cheapest result kept:
 * best fit counting idle power (opens few machines), best fit ignoring it (opens the efficient ones,
 * then empties what does not pay), and the current placement when it is valid, so the greedy plan
 * never costs more than today.
 */

/** Loads per machine of a placement being built, so each check is O(1). */
class Packing {
  readonly cpu: number[];
  readonly memory: number[];
  readonly vram: number[];
  readonly count: number[];

  constructor(
    private readonly p: Problem,
    readonly assignment: number[],
  ) {
    const n = p.model.machines.length;
    this.cpu = new Array<number>(n).fill(0);
    this.memory = new Array<number>(n).fill(0);
    this.vram = new Array<number>(n).fill(0);
    this.count = new Array<number>(n).fill(0);
    assignment.forEach((m, w) => {
      if (m >= 0) this.add(w, m);
    });
  }

  fits(w: number, m: number): boolean {
    const p = this.p;
    const within = (load: number, demand: number, capacity: number) =>
      load + demand <= capacity * (1 + CAPACITY_TOLERANCE);
    return (
      within(this.cpu[m] as number, p.cpuDemand[w]?.[m] as number, p.cpuCapacity[m] as number) &&
      within(this.memory[m] as number, p.memoryDemand[w] as number, p.memoryCapacity[m] as number) &&
      ((p.vramCapacity[m] as number) === 0 ||
        within(this.vram[m] as number, p.vramDemand[w] as number, p.vramCapacity[m] as number))
    );
  }

  /** What putting w on m adds: its own cost, plus m's idle power if this switches m on. */
  addCost(w: number, m: number): number {
    const idle = this.count[m] === 0 && !this.p.model.forcedOn[m] ? (this.p.model.idleCost[m] as number) : 0;
    return (this.p.model.workloadCost[w]?.[m] as number) + idle;
  }

  /** What taking w off its machine saves: its own cost, plus the idle power if that empties it. */
  removeSaving(w: number): number {
    const m = this.assignment[w] as number;
    const idle = this.count[m] === 1 && !this.p.model.forcedOn[m] ? (this.p.model.idleCost[m] as number) : 0;
    return (this.p.model.workloadCost[w]?.[m] as number) + idle;
  }

  add(w: number, m: number): void {
    this.assignment[w] = m;
    this.cpu[m] = (this.cpu[m] as number) + (this.p.cpuDemand[w]?.[m] as number);
    this.memory[m] = (this.memory[m] as number) + (this.p.memoryDemand[w] as number);
    this.vram[m] = (this.vram[m] as number) + (this.p.vramDemand[w] as number);
    this.count[m] = (this.count[m] as number) + 1;
  }

  remove(w: number): void {
    const m = this.assignment[w] as number;
    this.cpu[m] = (this.cpu[m] as number) - (this.p.cpuDemand[w]?.[m] as number);
    this.memory[m] = (this.memory[m] as number) - (this.p.memoryDemand[w] as number);
    this.vram[m] = (this.vram[m] as number) - (this.p.vramDemand[w] as number);
    this.count[m] = (this.count[m] as number) - 1;
    this.assignment[w] = -1;
  }

  isOn(m: number): boolean {
    return (this.count[m] as number) > 0 || (this.p.model.forcedOn[m] ?? false);
  }

  /**
   * The machine `usable` allows where w adds least cost and fits, or -1; `withIdle` false compares
   * only the workload's own cost, as if every machine were on.
   */
  cheapest(w: number, usable: (m: number) => boolean = () => true, withIdle = true): number {
    let best = -1;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const m of this.p.allowed[w] ?? []) {
      if (!usable(m) || !this.fits(w, m)) continue;
      const cost = withIdle ? this.addCost(w, m) : (this.p.model.workloadCost[w]?.[m] as number);
      if (cost < bestCost) {
        best = m;
        bestCost = cost;
      }
    }
    return best;
  }
}

/** Smaller than any saving worth a move; keeps float noise from cycling the search. */
const MIN_SAVING = 1e-9;

/** Moves single workloads while that saves; true if anything moved. */
function relocate(packing: Packing, workloads: number): boolean {
  let moved = false;
  for (let w = 0; w < workloads; w++) {
    const from = packing.assignment[w] as number;
    const saving = packing.removeSaving(w);
    packing.remove(w);
    const to = packing.cheapest(w);
    if (to >= 0 && to !== from && packing.addCost(w, to) < saving - MIN_SAVING) {
      packing.add(w, to);
      moved = true;
    } else {
      packing.add(w, from);
    }
  }
  return moved;
}

/** Moves everything off machine m onto machines already on, and keeps that if it saves. */
function tryEmpty(p: Problem, packing: Packing, m: number): boolean {
  const on = packing.assignment.flatMap((at, w) => (at === m ? [w] : []));
  const usable = (k: number) => k !== m && packing.isOn(k);
  let delta = -(p.model.idleCost[m] as number);
  for (const w of on) {
    delta -= p.model.workloadCost[w]?.[m] as number;
    packing.remove(w);
  }
  const moved: number[] = [];
  for (const w of on) {
    const to = packing.cheapest(w, usable);
    if (to < 0) break;
    delta += p.model.workloadCost[w]?.[to] as number;
    packing.add(w, to);
    moved.push(w);
  }
  if (moved.length === on.length && delta < -MIN_SAVING) return true;
  for (const w of moved) packing.remove(w);
  for (const w of on) packing.add(w, m);
  return false;
}

/** Empties machines, most idle power first, where running their workloads elsewhere costs less. */
function emptyMachines(p: Problem, packing: Packing): boolean {
  let emptied = false;
  const byIdle = p.model.machines
    .map((_, m) => m)
    .filter((m) => !p.model.forcedOn[m])
    .sort((a, b) => (p.model.idleCost[b] as number) - (p.model.idleCost[a] as number));
  for (const m of byIdle) if (packing.isOn(m) && tryEmpty(p, packing, m)) emptied = true;
  return emptied;
}

function improve(p: Problem, packing: Packing): number[] {
  const workloads = p.model.workloads.length;
  // Each round strictly lowers the cost, so this ends; the cap bounds pathological cases.
  for (let round = 0; round < 100; round++) {
    const moved = relocate(packing, workloads);
    const emptied = emptyMachines(p, packing);
    if (!moved && !emptied) break;
  }
  return packing.assignment;
}

/**
 * Best fit, hardest first (fewest machines allowed, then largest share of the memory it may use), into
 * the machine where it adds least cost, with or without the idle power of switching that machine on.
 */
function construct(p: Problem, withIdle: boolean): Packing | undefined {
  const workloads = p.model.workloads.map((_, w) => w);
  const share = (w: number) =>
    (p.memoryDemand[w] as number) /
    Math.max(...(p.allowed[w] ?? []).map((m) => p.memoryCapacity[m] as number), Number.MIN_VALUE);
  workloads.sort((a, b) => (p.allowed[a]?.length ?? 0) - (p.allowed[b]?.length ?? 0) || share(b) - share(a));
  const packing = new Packing(p, new Array<number>(workloads.length).fill(-1));
  for (const w of workloads) {
    const m = packing.cheapest(w, undefined, withIdle);
    if (m < 0) return undefined;
    packing.add(w, m);
  }
  return packing;
}

/**
 * The cheapest greedy plan, or undefined when best fit cannot place every workload. `current` is the
 * current placement when it breaks no constraint.
 */
export function greedyPlacement(p: Problem, current?: readonly number[]): number[] | undefined {
  const starts = [construct(p, true), construct(p, false), current && new Packing(p, [...current])].filter(
    (s): s is Packing => s !== undefined,
  );
  const plans = starts.map((s) => improve(p, s));
  return plans.sort((a, b) => weeklyCost(p.model, a).total - weeklyCost(p.model, b).total)[0];
}
