import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { weeklyCost } from '../model.ts';
import { solveMilp } from './milp.ts';
import { buildProblem, violations } from './problem.ts';
import { randomHomelab } from './random-homelab.ts';

describe('solveMilp', () => {
  it('optimises the cost model itself: its proven bound meets the plan cost the model gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 10 }),
        async (seed, machines, workloads) => {
          const problem = buildProblem(randomHomelab(seed, { machines, workloads }));
          const outcome = await solveMilp(problem, { timeLimitSeconds: 5, relativeGap: 0 });
          if (outcome.status === 'infeasible') return;
          const assignment = outcome.assignment as number[];
          expect(violations(problem, assignment)).toEqual([]);
          // With the always-on idle as the offset, HiGHS's objective is the model's weekly cost.
          expect(outcome.bound).toBeCloseTo(weeklyCost(problem.model, assignment).total, 5);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('finds the same optimum with one link row per machine as with one per pair, even for a workload with no demand', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 10 }),
        async (seed, machines, workloads) => {
          const problem = buildProblem(randomHomelab(seed, { machines, workloads }));
          // Nothing in the capacity rows holds it to a machine that is on: only the link rows do.
          problem.cpuDemand[0] = problem.cpuDemand[0]?.map(() => 0) ?? [];
          problem.memoryDemand[0] = 0;
          problem.vramDemand[0] = 0;
          // …and it costs nothing on the machine that costs most to keep on, which tempts a model
          // without those rows to leave that machine off with the workload on it.
          const dearest = (problem.allowed[0] ?? []).reduce((a, m) =>
            (problem.model.idleCost[m] ?? 0) > (problem.model.idleCost[a] ?? 0) ? m : a,
          );
          (problem.model.workloadCost as number[][])[0] = problem.model.machines.map((_, m) =>
            m === dearest ? 0 : 0.01,
          );
          const solve = (tightLinksMaxColumns: number) =>
            solveMilp(problem, { timeLimitSeconds: 5, relativeGap: 0, tightLinksMaxColumns });
          const [pairs, perMachine] = [await solve(Number.POSITIVE_INFINITY), await solve(0)];
          expect(perMachine.status).toBe(pairs.status);
          if (perMachine.status !== 'optimal' || pairs.status !== 'optimal') return;
          const assignment = perMachine.assignment as number[];
          expect(violations(problem, assignment)).toEqual([]);
          expect(perMachine.bound).toBeCloseTo(weeklyCost(problem.model, assignment).total, 5);
          expect(weeklyCost(problem.model, assignment).total).toBeCloseTo(
            weeklyCost(problem.model, pairs.assignment as number[]).total,
            6,
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
