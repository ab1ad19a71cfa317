import type { PrometheusTarget } from '../../common/prometheus-client.ts';
import { computeCosts } from '../../cost/costs.ts';
import { warmUpSolver } from '../../cost/placement/highs.ts';
import { type Advice, advise } from '../advisor/advice.ts';
import type { BuildInput } from '../advisor/build-scenario.ts';
import { NoDataError } from '../advisor/build-scenario.ts';
import type { QueryProgress } from '../advisor/contract-queries.ts';
import { scenarioFromPrometheus } from '../advisor/prometheus-scenario.ts';
import { fetchFiredAlerts } from './alerts.ts';
import {
  buildWeeklyReport,
  scenarioPower,
  type WeekFigures,
  type WeeklyReport,
  type WeeklyReportInput,
} from './model.ts';
import { type IsoWeek, previousWeek } from './week.ts';

export interface ReportFromPrometheusOptions extends Omit<BuildInput, 'grid'> {
  week: IsoWeek;
  stepSeconds: number;
  /** A line per step (each query, planning), for progress on stderr. */
  onProgress?: (line: string) => void;
  now?: Date;
}

const queryLine = (label: string, p: QueryProgress) => `${label}: querying ${p.index}/${p.of}: ${p.name}…`;

/**
 * `tierwise report`'s data: the week and the week before through the same path as `tierwise advise`
 * (the contract series into a scenario, then the cost model and placement), and the alerts that fired.
 * A week without data is an error (NoDataError); a week before without any is only not compared.
 */
export async function weeklyReportFromPrometheus(
  target: PrometheusTarget,
  opts: ReportFromPrometheusOptions,
): Promise<WeeklyReport> {
  const say = opts.onProgress ?? (() => {});
  warmUpSolver();
  const weekScenario = (week: IsoWeek) =>
    scenarioFromPrometheus(target, {
      windowSeconds: week.end - week.start,
      stepSeconds: opts.stepSeconds,
      endSeconds: week.end,
      tariff: opts.tariff,
      declarations: opts.declarations,
      ...(opts.options && { options: opts.options }),
      onQuery: (p) => say(queryLine(week.label, p)),
    });

  const before = previousWeek(opts.week);
  // Only its costs are compared: no plan is made for a week that is gone. Priced first and alone, so
  // its series are garbage before this week's are read.
  const previous = await weekScenario(before).then(
    (b) => ({ costs: computeCosts(b.scenario) }),
    (err: unknown) => {
      if (err instanceof NoDataError) return undefined;
      throw err;
    },
  );
  const built = await weekScenario(opts.week);
  const power = scenarioPower(built.scenario);
  say(`${opts.week.label}: planning placement…`);
  const advice = await advise({
    scenario: built.scenario,
    source: { kind: 'prometheus', url: target.url, window: opts.week.label },
    warnings: built.warnings,
    thin: built.thin,
    ...(opts.now && { now: opts.now }),
  });
  say(`${opts.week.label}: querying ALERTS…`);
  const alerts = await fetchFiredAlerts(target, opts.week);

  const input: WeeklyReportInput = {
    week: opts.week,
    previousWeek: before,
    current: figures(advice),
    ...(previous && { previous }),
    power,
    alerts,
    source: `Prometheus ${target.url}`,
    generatedAt: opts.now ?? new Date(),
  };
  return buildWeeklyReport(input);
}

const figures = (a: Advice): WeekFigures => ({
  costs: a.costs,
  placement: a.placement,
  warnings: a.warnings,
  confidence: a.confidence,
});
