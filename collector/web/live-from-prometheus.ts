import type { PrometheusTarget } from '../../common/prometheus-client.ts';
import { computeCosts } from '../../cost/costs.ts';
import type { BuildInput } from '../advisor/build-scenario.ts';
import { scenarioFromPrometheus } from '../advisor/prometheus-scenario.ts';
import { scenarioPower } from '../report/model.ts';
import { weekContaining } from '../report/week.ts';
import { buildLiveView, type LiveView } from './live.ts';

export interface LiveOptions extends Omit<BuildInput, 'grid'> {
  timezone: string;
  stepSeconds: number;
  nowSeconds: number;
}

/**
 * The front page's figures: this ISO week from its Monday to now, through the same contract queries
 * and cost model as the weekly report, but without placement (the collector's own plan, over its
 * longer window, is the recommendation shown beside it).
 */
export async function liveViewFromPrometheus(target: PrometheusTarget, opts: LiveOptions): Promise<LiveView> {
  const week = weekContaining(opts.nowSeconds, opts.timezone);
  const built = await scenarioFromPrometheus(target, {
    // At least one step, so the first minutes of a Monday still show the lab's power now.
    windowSeconds: Math.max(opts.stepSeconds, opts.nowSeconds - week.start),
    stepSeconds: opts.stepSeconds,
    nowSeconds: opts.nowSeconds,
    tariff: opts.tariff,
    declarations: opts.declarations,
    ...(opts.options && { options: opts.options }),
  });
  const { scenario } = built;
  return buildLiveView({
    week,
    until: scenario.window.end,
    costs: computeCosts(scenario),
    power: scenarioPower(scenario),
    tariff: scenario.tariff,
  });
}
