import { weeklyCost } from '../model.ts';
import { knownSamples, type Scenario } from '../scenario.ts';
import { explainPlan } from './explain.ts';
import { greedyPlacement } from './greedy.ts';
import { type MilpOutcome, solveMilp } from './milp.ts';
import { constraintNotes, unplaceable } from './notes.ts';
import { buildProblem, type Problem, violations } from './problem.ts';
import type { PlacementPlan } from './types.ts';

/**
 * The MILP stops once its plan is proven this close to the optimum: a tenth of a percent of the weekly
 * cost is below the precision of its inputs (profile watts, a week's percentiles).
 */
const PLAN_GAP = 0.001;
/** HiGHS stops a little past its limit (about 50 ms at 50 × 500), and the plan is then read and explained. */
const FINISH_SECONDS = 0.25;

/** Share of the workloads' usage samples that exist: their percentiles are only as good as that. */
function coverage(scenario: Scenario): number {
  const samples = scenario.workloads.reduce((n, w) => n + (w.cpu_cores?.length ?? 0), 0);
  const known = scenario.workloads.reduce((n, w) => n + knownSamples(w.cpu_cores).length, 0);
  return samples === 0 ? 1 : known / samples;
}

type Outcome = Pick<PlacementPlan, 'solver' | 'status' | 'gap'> & { assignment: readonly number[] };

/** The MILP's plan when it has one at least as cheap as the greedy plan; else the greedy plan, said so. */
function choose(
  problem: Problem,
  greedy: number[] | undefined,
  milp: MilpOutcome | undefined,
  notes: string[],
): Outcome | undefined {
  const cost = (a: readonly number[]) => weeklyCost(problem.model, a).total;
  if (milp?.assignment && (greedy === undefined || cost(milp.assignment) <= cost(greedy) * (1 + 1e-9)))
    return {
      solver: 'milp',
      status: milp.status === 'optimal' ? 'optimal' : 'time-limit',
      ...(milp.gap !== undefined && { gap: milp.gap }),
      assignment: milp.assignment,
    };
  if (greedy === undefined) return undefined;
  if (milp?.status === 'no-plan')
    notes.push('the MILP found no plan within the time limit: the greedy plan is reported');
  const planned = cost(greedy);
  return {
    solver: 'greedy',
    status: 'greedy-fallback',
    ...(milp?.bound !== undefined && { gap: Math.max(0, (planned - milp.bound) / planned) }),
    assignment: greedy,
  };
}

/**
 * Where each workload should run to cost least a week, which machines can then be switched off, and
 * what every move saves. Pure: the scenario in, the plan out (HiGHS runs in-process).
 */
export async function planPlacement(scenario: Scenario): Promise<PlacementPlan> {
  const started = performance.now();
  const problem = buildProblem(scenario);
  const current = problem.model.current;
  const currentViolations = violations(problem, current);
  const notes = constraintNotes(problem, currentViolations);
  const base = {
    currency: problem.model.currency,
    confidence: coverage(scenario) < scenario.options.min_coverage ? ('low' as const) : ('ok' as const),
  };
  const infeasible = (solver: PlacementPlan['solver']): PlacementPlan => ({
    ...base,
    solver,
    status: 'infeasible',
    ...explainPlan(problem, current),
    notes,
  });

  const stuck = unplaceable(problem);
  if (stuck.length > 0) {
    notes.push(...stuck);
    return infeasible('greedy');
  }
  const greedy = greedyPlacement(problem, currentViolations.length === 0 ? current : undefined);
  const elapsed = (performance.now() - started) / 1000;
  let milp: MilpOutcome | undefined;
  try {
    milp = await solveMilp(problem, {
      timeLimitSeconds: scenario.options.time_limit_seconds - elapsed - FINISH_SECONDS,
      relativeGap: PLAN_GAP,
      ...(greedy && { start: greedy }),
    });
  } catch (error) {
    notes.push(
      `the MILP solver failed (${error instanceof Error ? error.message : String(error)}): the greedy plan is reported`,
    );
  }
  const outcome = choose(problem, greedy, milp, notes);
  if (outcome === undefined) {
    notes.push(
      milp?.status === 'infeasible'
        ? "no placement fits every workload within the machines' CPU headroom, memory and VRAM"
        : 'neither the greedy search nor the MILP (within the time limit) found a placement that fits every workload',
    );
    return infeasible(milp?.status === 'infeasible' ? 'milp' : 'greedy');
  }
  const { assignment, ...how } = outcome;
  return { ...base, ...how, ...explainPlan(problem, assignment), notes };
}
