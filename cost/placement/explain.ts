import { machinesOn, machinesOnNow, WEEKS_PER_MONTH, weeklyCost, workloadWatts } from '../model.ts';
import type { Machine, Workload } from '../scenario.ts';
import type { Problem } from './problem.ts';
import type { PlacementPlan } from './types.ts';

/**
 * A plan's figures, all from the cost model. Each move saves its workload's cost where it ran less its
 * cost where it goes (migration included), less its share of the idle power of a machine the plan
 * switches on; each machine switched off saves its idle power. So the moves plus the power-offs add up
 * to the current weekly cost less the planned one, exactly.
 */
type PlanFigures = Pick<
  PlacementPlan,
  'current_weekly_cost' | 'planned_weekly_cost' | 'assignment' | 'moves' | 'power_off' | 'rightsizing'
>;

const watts = (w: number) => `${w.toFixed(w < 1 ? 2 : w < 10 ? 1 : 0)} W`;

export function explainPlan(problem: Problem, planned: readonly number[]): PlanFigures {
  const { model } = problem;
  const name = (m: number) => model.machines[m]?.name as string;
  const onNow = machinesOnNow(model);
  const onPlanned = machinesOn(model, planned);
  const now = weeklyCost(model, model.current, onNow);
  const then = weeklyCost(model, planned, onPlanned);
  const movesInto = new Array<number>(model.machines.length).fill(0);
  const movesOutOf = new Array<number>(model.machines.length).fill(0);
  planned.forEach((m, w) => {
    const from = model.current[w] as number;
    if (m === from) return;
    movesInto[m] = (movesInto[m] as number) + 1;
    movesOutOf[from] = (movesOutOf[from] as number) + 1;
  });
  const switchedOff = (m: number) => (onNow[m] ?? false) && !onPlanned[m];

  const moves = planned.flatMap((to, w) => {
    const from = model.current[w] as number;
    if (to === from) return [];
    const workload = model.workloads[w] as Workload;
    const switchedOn = (onPlanned[to] ?? false) && !onNow[to];
    const saving =
      (now.workloads[w] as number) -
      (then.workloads[w] as number) -
      (switchedOn ? (model.idleCost[to] as number) / (movesInto[to] as number) : 0);
    const before = workloadWatts(workload, model.machines[from] as Machine);
    const after = workloadWatts(workload, model.machines[to] as Machine);
    const parts = [
      after < before
        ? `${name(to)} does the same work for ${watts(after)} instead of ${watts(before)} on ${name(from)}`
        : `${name(to)} has room for it (${watts(after)} there, ${watts(before)} on ${name(from)})`,
    ];
    if (switchedOff(from)) parts.push(`${name(from)} can then be switched off`);
    const net = switchedOff(from)
      ? saving + (model.idleCost[from] as number) / (movesOutOf[from] as number)
      : saving;
    if (switchedOn)
      parts.push(`switches on ${name(to)} (${watts(model.machines[to]?.power.idle_watts ?? 0)} idle)`);
    return [
      {
        workload: workload.name,
        from: name(from),
        to: name(to),
        saving_per_week: saving,
        saving_per_month: saving * WEEKS_PER_MONTH,
        net_saving_per_week: net,
        net_saving_per_month: net * WEEKS_PER_MONTH,
        reason: `${workload.name}: ${parts.join('; ')}`,
      },
    ];
  });

  const power_off = model.machines.flatMap((m, i) =>
    switchedOff(i)
      ? [
          {
            machine: m.name,
            saving_per_week: model.idleCost[i] as number,
            reason: `${m.name}: nothing left on it in the plan; switched off it stops drawing ${watts(m.power.idle_watts)} idle`,
          },
        ]
      : [],
  );

  return {
    current_weekly_cost: now.total,
    planned_weekly_cost: then.total,
    assignment: Object.fromEntries(planned.map((m, w) => [model.workloads[w]?.name, name(m)])),
    moves,
    power_off,
    // The same requests placement packed with.
    rightsizing: planned.map((m, w) => ({
      workload: model.workloads[w]?.name as string,
      machine: name(m),
      cpu_request_cores: problem.cpuDemand[w]?.[m] as number,
      memory_request_bytes: problem.memoryDemand[w] as number,
    })),
  };
}
