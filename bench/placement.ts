/**
 * Placement at homelab size (12 machines × 120 workloads: time until the plan is proven within 1 % of
 * the optimum) and at 50 × 500 (the plan `tierwise advise` reports under its default 10 s limit, against
 * the best plan a 10-minute solver run finds), on seeded random homelabs (cost/placement/random-homelab).
 */
import { weeklyCost } from '../cost/model.ts';
import { greedyPlacement } from '../cost/placement/greedy.ts';
import { loadHighs } from '../cost/placement/highs.ts';
import { planPlacement } from '../cost/placement/index.ts';
import { solveMilp } from '../cost/placement/milp.ts';
import { buildProblem, violations } from '../cost/placement/problem.ts';
import { randomHomelab } from '../cost/placement/random-homelab.ts';

/**
 * Best weekly cost (EUR) a 10-minute MILP run found for each 50 × 500 seed, and its proven lower bound.
 * From `npm run bench -- --only=placement --reference` (see docs/benchmarks.md); rerun after changing
 * the cost model or the generator.
 */
const REFERENCE: Record<number, { best: number; bound: number }> = {
  1: { best: 39.6739519970392, bound: 39.67395199703918 },
  2: { best: 30.549292261012162, bound: 30.549292261012155 },
  3: { best: 40.763287335892414, bound: 40.76215051174108 },
};

export interface PlacementBenchOptions {
  homelabSeeds: number[];
  largeSeeds: number[];
  /** Rerun the 10-minute reference solves instead of using the recorded figures. */
  reference: boolean;
}

interface Costs {
  current: number;
  greedy: number;
  planned: number;
}

export interface HomelabResult extends Costs {
  seed: number;
  /** Building the problem, the greedy plan and the MILP until proven within 1 %. */
  toOnePercentMs: number;
  onePercentStatus: string;
  onePercentGap: number | undefined;
  /** planPlacement as shipped (stops at 0.1 %). */
  planMs: number;
  planStatus: string;
  planGap: number | undefined;
}

export interface LargeResult extends Costs {
  seed: number;
  planMs: number;
  planStatus: string;
  planGap: number | undefined;
  reference: { best: number; bound: number; rerun: boolean } | undefined;
}

export interface PlacementBench {
  solverLoadMs: number;
  homelab: HomelabResult[];
  large: LargeResult[];
}

const msSince = (since: number) => performance.now() - since;

/** The current placement's cost and the greedy plan's (from the current one when that is valid). */
function baseline(scenario: ReturnType<typeof randomHomelab>) {
  const problem = buildProblem(scenario);
  const current = problem.model.current;
  const valid = violations(problem, current).length === 0;
  const greedy = greedyPlacement(problem, valid ? current : undefined);
  return {
    problem,
    greedy,
    current: weeklyCost(problem.model, current).total,
    greedyCost: greedy ? weeklyCost(problem.model, greedy).total : Number.NaN,
  };
}

export async function benchPlacement(o: PlacementBenchOptions): Promise<PlacementBench> {
  let since = performance.now();
  await loadHighs();
  const solverLoadMs = msSince(since);

  const homelab: HomelabResult[] = [];
  for (const seed of o.homelabSeeds) {
    const scenario = randomHomelab(seed, { machines: 12, workloads: 120 });
    since = performance.now();
    const { problem, greedy, current, greedyCost } = baseline(scenario);
    const toOnePercent = await solveMilp(problem, {
      timeLimitSeconds: 60,
      relativeGap: 0.01,
      ...(greedy && { start: greedy }),
    });
    const toOnePercentMs = msSince(since);
    since = performance.now();
    const plan = await planPlacement(scenario);
    homelab.push({
      seed,
      current,
      greedy: greedyCost,
      planned: plan.planned_weekly_cost,
      toOnePercentMs,
      onePercentStatus: toOnePercent.status,
      onePercentGap: toOnePercent.gap,
      planMs: msSince(since),
      planStatus: `${plan.solver}/${plan.status}`,
      planGap: plan.gap,
    });
  }

  const large: LargeResult[] = [];
  for (const seed of o.largeSeeds) {
    const scenario = randomHomelab(seed, { machines: 50, workloads: 500 });
    since = performance.now();
    const plan = await planPlacement(scenario);
    const planMs = msSince(since);
    const { problem, greedy, current, greedyCost } = baseline(scenario);
    let reference: LargeResult['reference'];
    if (o.reference) {
      const best = await solveMilp(problem, {
        timeLimitSeconds: 600,
        relativeGap: 0,
        ...(greedy && { start: greedy }),
      });
      if (best.assignment && best.bound !== undefined)
        reference = {
          best: weeklyCost(problem.model, best.assignment).total,
          bound: best.bound,
          rerun: true,
        };
    } else if (REFERENCE[seed])
      reference = { ...(REFERENCE[seed] as { best: number; bound: number }), rerun: false };
    large.push({
      seed,
      current,
      greedy: greedyCost,
      planned: plan.planned_weekly_cost,
      planMs,
      planStatus: `${plan.solver}/${plan.status}`,
      planGap: plan.gap,
      reference,
    });
  }
  return { solverLoadMs, homelab, large };
}
