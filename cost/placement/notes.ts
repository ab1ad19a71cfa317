import { gpuWatts } from '../model.ts';
import type { Problem } from './problem.ts';

const unique = (reasons: (string | undefined)[]) =>
  [...new Set(reasons.filter((r): r is string => r !== undefined))].join('; ');

/** Workloads no machine may take, one line each with the rules that rule every machine out. */
export function unplaceable(problem: Problem): string[] {
  return problem.allowed.flatMap((allowed, w) =>
    allowed.length === 0
      ? [`${problem.model.workloads[w]?.name} may run on no machine: ${unique(problem.reasons[w] ?? [])}`]
      : [],
  );
}

/**
 * What the owner should know before trusting the plan: rules the current placement breaks, workloads
 * their rules keep where they are, and GPU energy that was never measured.
 */
export function constraintNotes(problem: Problem, currentViolations: readonly string[]): string[] {
  const { model } = problem;
  const notes = currentViolations.map((v) => `the current placement breaks a rule: ${v}`);
  if (model.machines.length > 1)
    problem.allowed.forEach((allowed, w) => {
      const here = model.current[w] as number;
      if (allowed.length === 1 && allowed[0] === here)
        notes.push(
          `${model.workloads[w]?.name} stays on ${model.machines[here]?.name}: ${unique(problem.reasons[w] ?? [])}`,
        );
    });
  for (const w of model.workloads)
    if (w.gpu !== undefined && gpuWatts(w) === undefined)
      notes.push(
        `${w.name}: its GPU power was never measured (no gpu_watts), so its GPU energy is counted as 0`,
      );
  return notes;
}
