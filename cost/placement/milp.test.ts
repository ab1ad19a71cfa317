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
});
