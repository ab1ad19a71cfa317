import { describe, expect, it, vi } from 'vitest';
import { weeklyCost } from '../model.ts';
import { greedyPlacement } from './greedy.ts';
import { planPlacement } from './index.ts';
import { buildProblem } from './problem.ts';
import { randomHomelab } from './random-homelab.ts';

// As when dist/highs.wasm is missing beside the bundle.
vi.mock('./highs.ts', () => ({ loadHighs: () => Promise.reject(new Error('highs.wasm not found')) }));

describe('planPlacement without the MILP solver', () => {
  it('reports the greedy plan as such, and why', async () => {
    const scenario = randomHomelab(3, { machines: 5, workloads: 20 });
    const plan = await planPlacement(scenario);
    expect(plan).toMatchObject({ solver: 'greedy', status: 'greedy-fallback' });
    expect(plan.gap).toBeUndefined();
    expect(plan.notes).toContain(
      'the MILP solver failed (highs.wasm not found): the greedy plan is reported',
    );
    const problem = buildProblem(scenario);
    const greedy = greedyPlacement(problem, problem.model.current) as number[];
    expect(plan.planned_weekly_cost).toBeCloseTo(weeklyCost(problem.model, greedy).total, 12);
    expect(plan.planned_weekly_cost).toBeLessThan(plan.current_weekly_cost);
  });
});
