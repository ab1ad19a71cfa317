import type { CostReport } from '../../cost/cost-report.ts';
import type { Tariff } from '../../cost/scenario.ts';
import { rateAt } from '../../cost/tariff.ts';
import { type MachinePower, powerByTier, type WeeklyReport } from '../report/model.ts';
import type { IsoWeek } from '../report/week.ts';

/** A machine's latest sample counts as "now" only this fresh: older, its power now is unknown. */
const FRESH_SECONDS = 15 * 60;

/** The collector's front page as data: the week so far, and what the lab draws and costs right now. */
export interface LiveView {
  /** The whole ISO week this is part of. */
  week: IsoWeek;
  /** When the figures end, epoch seconds. */
  until: number;
  elapsedHours: number;
  currency: string;
  soFar: { energyKwh: number; energyCost: number; totalCost: number };
  /** The total cost so far, scaled to the whole week: the week's pace, not a forecast. */
  projectedWeekCost: number;
  /** Price per kWh at `until`, from the tariff. */
  pricePerKwh: number;
  /** Σ of the machines with a fresh sample; null when none has one. */
  wattsNow: number | null;
  /** Energy only (no standing charge or amortisation), at the price now. */
  energyCostPerHourNow: number | null;
  tiers: { tier: string; wattsNow: number | null; energyKwh: number; totalCost: number }[];
  /** Hourly means per tier from the week's start to `until`. */
  power: WeeklyReport['power'];
  coverage: number;
  warnings: string[];
}

export interface LiveInput {
  week: IsoWeek;
  until: number;
  costs: CostReport;
  power: { start: number; stepSeconds: number; machines: MachinePower[] };
  tariff: Tariff;
}

function latestWatts(m: MachinePower, start: number, step: number, until: number): number | null {
  for (let i = m.watts.length - 1; i >= 0; i--) {
    const w = m.watts[i] ?? Number.NaN;
    if (Number.isNaN(w)) continue;
    return until - (start + i * step) <= FRESH_SECONDS ? w : null;
  }
  return null;
}

const sumOrNull = (values: (number | null)[]) =>
  values.some((v) => v !== null) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : null;

/** Pure: the week so far's costs and power series, priced now with the tariff. */
export function buildLiveView(input: LiveInput): LiveView {
  const { week, until, costs, power } = input;
  const elapsedHours = (until - week.start) / 3600;
  const now = new Map(
    power.machines.map((m) => [m.name, latestWatts(m, power.start, power.stepSeconds, until)]),
  );
  const price = rateAt(input.tariff, until).price_per_kwh;
  const wattsNow = sumOrNull([...now.values()]);
  const tierNames = [...new Set(costs.machines.map((m) => m.tier))].sort();
  return {
    week,
    until,
    elapsedHours,
    currency: costs.currency,
    soFar: {
      energyKwh: costs.totals.energy_kwh,
      energyCost: costs.totals.energy_cost,
      totalCost: costs.totals.total_cost,
    },
    projectedWeekCost: elapsedHours > 0 ? (costs.totals.total_cost * week.hours) / elapsedHours : 0,
    pricePerKwh: price,
    wattsNow,
    energyCostPerHourNow: wattsNow === null ? null : (wattsNow / 1000) * price,
    tiers: tierNames.map((tier) => {
      const ms = costs.machines.filter((m) => m.tier === tier);
      return {
        tier,
        wattsNow: sumOrNull(ms.map((m) => now.get(m.name) ?? null)),
        energyKwh: ms.reduce((a, m) => a + m.energy_kwh, 0),
        totalCost: ms.reduce((a, m) => a + m.total_cost, 0),
      };
    }),
    power: powerByTier(power, { ...week, end: until }),
    coverage: costs.coverage,
    warnings: costs.warnings,
  };
}
