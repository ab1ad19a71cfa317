/**
 * What placement recommends (cost/placement: planPlacement). Plain data, serialised as is by
 * `tierwise advise --json`, the collector's /api/placement and the weekly report.
 */

export interface Move {
  workload: string;
  from: string;
  to: string;
  /** The move's own saving: its workload's cost where it ran less where it goes (migration included). */
  saving_per_week: number;
  saving_per_month: number;
  /**
   * Its saving with its share of the machines it helps empty: each machine switched off splits its
   * idle saving equally over the moves out of it. These add up to the plan's whole saving.
   */
  net_saving_per_week: number;
  net_saving_per_month: number;
  reason: string;
}

export interface PlacementPlan {
  /** Which solver produced the plan; 'greedy' when the MILP failed or ran out of time without a plan. */
  solver: 'milp' | 'greedy';
  status: 'optimal' | 'time-limit' | 'greedy-fallback' | 'infeasible';
  /** Relative gap to the best bound, when known (0 = proven optimal). */
  gap?: number;
  currency: string;
  /** Both from the same model (cost/model.ts), so their difference is the saving. */
  current_weekly_cost: number;
  planned_weekly_cost: number;
  /** workload name → machine name. */
  assignment: Record<string, string>;
  moves: Move[];
  /** Machines that carry nothing in the plan and may be switched off. */
  power_off: { machine: string; saving_per_week: number; reason: string }[];
  /** Per workload, requests sized from its p95 CPU and max memory on its planned machine (KRR-style). */
  rightsizing: {
    workload: string;
    machine: string;
    cpu_request_cores: number;
    memory_request_bytes: number;
  }[];
  /** Constraints that made a workload stay where it is, or made the problem infeasible. */
  notes: string[];
  confidence: 'ok' | 'low';
}
