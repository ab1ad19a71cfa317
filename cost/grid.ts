import type { Samples, Scenario, Tariff } from './scenario.ts';
import { priceSegments } from './tariff.ts';

/**
 * The scenario's time grid, priced. Sample i of every series holds for step i, [start + i·step,
 * start + (i+1)·step), the last step cut at the window's end; a sample at or past the end covers nothing.
 * Each step carries what one watt held over it comes to in energy, money and carbon, integrated over the
 * tariff's segments, so a step that straddles a band edge or a clock change is priced in parts.
 */

const JOULES_PER_KWH = 3.6e6;

export interface Step {
  start: number;
  end: number;
  kwh_per_watt: number;
  cost_per_watt: number;
  /** Grams of CO2e; undefined where the tariff gives no intensity for part of the step. */
  carbon_g_per_watt: number | undefined;
}

/** One value per step of the grid (watts, cores, bytes); null where there is no data. */
export type Series = readonly (number | null)[];

/**
 * A scenario series on a grid of n steps: samples past its end (or no series at all) are no data,
 * samples past the grid are dropped, and a negative reading (a meter's noise around zero) counts as zero.
 */
export function onGrid(series: Samples | undefined, n: number): Series {
  const values: (number | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = series?.[i] ?? Number.NaN;
    values[i] = Number.isNaN(v) ? null : Math.max(0, v);
  }
  return values;
}

export function buildGrid(window: Scenario['window'], tariff: Tariff): Step[] {
  const { start, end, step_seconds } = window;
  const segments = priceSegments(tariff, start, end);
  const steps: Step[] = [];
  let k = 0;
  for (let i = 0; start + i * step_seconds < end; i++) {
    const from = start + i * step_seconds;
    const to = Math.min(start + (i + 1) * step_seconds, end);
    while ((segments[k]?.end ?? Number.POSITIVE_INFINITY) <= from) k++;
    let cost = 0;
    let carbon: number | undefined = 0;
    for (let j = k; j < segments.length; j++) {
      const segment = segments[j] as (typeof segments)[number];
      if (segment.start >= to) break;
      const seconds = Math.min(to, segment.end) - Math.max(from, segment.start);
      cost += seconds * segment.price_per_kwh;
      carbon =
        carbon === undefined || segment.carbon_g_per_kwh === undefined
          ? undefined
          : carbon + seconds * segment.carbon_g_per_kwh;
    }
    steps.push({
      start: from,
      end: to,
      kwh_per_watt: (to - from) / JOULES_PER_KWH,
      cost_per_watt: cost / JOULES_PER_KWH,
      carbon_g_per_watt: carbon === undefined ? undefined : carbon / JOULES_PER_KWH,
    });
  }
  return steps;
}
