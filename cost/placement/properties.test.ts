import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { weeklyCost } from '../model.ts';
import { greedyPlacement } from './greedy.ts';
import { planPlacement } from './index.ts';
import { buildProblem, violations } from './problem.ts';
import { randomHomelab } from './random-homelab.ts';

/** Random homelabs, small enough that a hundred of them plan in a few seconds. */
const homelabs = fc
  .record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    machines: fc.integer({ min: 1, max: 6 }),
    workloads: fc.integer({ min: 0, max: 14 }),
    pinned: fc.double({ min: 0, max: 0.3, noNaN: true }),
    hypothetical: fc.boolean(),
    migration: fc.constantFrom(0, 0.5, 5),
    headroom: fc.double({ min: 0.3, max: 1, noNaN: true }),
    margin: fc.double({ min: 0, max: 0.5, noNaN: true }),
  })
  .map((r) =>
    randomHomelab(r.seed, {
      machines: r.machines,
      workloads: r.workloads,
      pinned: r.pinned,
      hypothetical: r.hypothetical,
      options: { migration_cost: r.migration, cpu_headroom: r.headroom, memory_margin: r.margin },
    }),
  );

describe('planPlacement on random homelabs', () => {
  it('breaks no constraint, never costs more than now or than the greedy plan, and its savings add up', async () => {
    await fc.assert(
      fc.asyncProperty(homelabs, async (scenario) => {
        const plan = await planPlacement(scenario);
        const problem = buildProblem(scenario);
        const currentIsValid = violations(problem, problem.model.current).length === 0;
        if (plan.status === 'infeasible') {
          expect(currentIsValid).toBe(false);
          return;
        }
        const index = new Map(scenario.machines.map((m, i) => [m.name, i]));
        const assignment = scenario.workloads.map((w) => index.get(plan.assignment[w.name] ?? '') ?? -1);
        expect(violations(problem, assignment)).toEqual([]);
        expect(plan.planned_weekly_cost).toBeCloseTo(weeklyCost(problem.model, assignment).total, 9);
        if (currentIsValid)
          expect(plan.planned_weekly_cost).toBeLessThanOrEqual(plan.current_weekly_cost + 1e-9);
        const greedy = greedyPlacement(problem, currentIsValid ? problem.model.current : undefined);
        if (greedy)
          expect(plan.planned_weekly_cost).toBeLessThanOrEqual(
            weeklyCost(problem.model, greedy).total + 1e-9,
          );
        const saved =
          plan.moves.reduce((sum, m) => sum + m.saving_per_week, 0) +
          plan.power_off.reduce((sum, p) => sum + p.saving_per_week, 0);
        expect(saved).toBeCloseTo(plan.current_weekly_cost - plan.planned_weekly_cost, 9);
      }),
      { numRuns: 100 },
    );
  });

  it('beats the greedy plan where moving one workload or emptying one machine cannot', async () => {
    // Seed 125: local search keeps the 60 W GPU box on; the MILP fills the always-on NAS with other
    // workloads and runs the rest on the 25 W desktop instead, switching the GPU box off.
    const scenario = randomHomelab(125, { machines: 4, workloads: 12 });
    const problem = buildProblem(scenario);
    const greedy = greedyPlacement(problem, problem.model.current) as number[];
    const plan = await planPlacement(scenario);
    expect(plan).toMatchObject({ solver: 'milp', status: 'optimal' });
    expect(plan.power_off.map((p) => p.machine)).toContain('gpu-1');
    expect(plan.planned_weekly_cost).toBeLessThan(0.75 * weeklyCost(problem.model, greedy).total);
  });
});
