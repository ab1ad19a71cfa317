import type { CostReport } from '../../cost/cost-report.ts';
import { computeCosts } from '../../cost/costs.ts';
import { planPlacement } from '../../cost/placement/index.ts';
import type { PlacementPlan } from '../../cost/placement/types.ts';
import type { Scenario } from '../../cost/scenario.ts';

/** Where a scenario came from, for the report's header and the collector's answers. */
export type AdviceSource =
  | { kind: 'prometheus'; url: string; window: string }
  | { kind: 'scenario'; file: string };

/**
 * What `tierwise advise` prints (as JSON, `{costs, placement}` with the verdict on the data beside them)
 * and what the collector serves. `confidence` is 'low' when either half says so or when the data behind
 * the scenario was thin: a low answer is a set of estimates, never a recommendation to act on.
 */
export interface Advice {
  computed_at: string;
  source: AdviceSource;
  confidence: 'ok' | 'low';
  /** The scenario builder's notes first (machines left out and why), then the cost model's. */
  warnings: string[];
  costs: CostReport;
  placement: PlacementPlan;
}

export interface AdviceInput {
  scenario: Scenario;
  source: AdviceSource;
  /** Notes from building the scenario; the first makes confidence low when `thin` is set. */
  warnings?: string[];
  /** The data behind the scenario covers too little of the window. */
  thin?: boolean;
  now?: Date;
}

/** Runs the cost model and placement on one scenario. */
export async function advise(input: AdviceInput): Promise<Advice> {
  const costs = computeCosts(input.scenario);
  const placement = await planPlacement(input.scenario);
  const low = input.thin === true || costs.confidence === 'low' || placement.confidence === 'low';
  return {
    computed_at: (input.now ?? new Date()).toISOString(),
    source: input.source,
    confidence: low ? 'low' : 'ok',
    warnings: [...new Set([...(input.warnings ?? []), ...costs.warnings])],
    costs,
    placement,
  };
}
