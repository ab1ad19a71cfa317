import { DateTime } from 'luxon';
import type { Verdict } from './cost-report.ts';
import { kwh, money, percent } from './format.ts';
import type { Step } from './grid.ts';
import type { Machine } from './scenario.ts';

/** Whether a machine earns its place, and one sentence with the figures that say so. */

/** Mostly idle: under this CPU utilisation over the window… */
export const MOSTLY_IDLE_MAX_UTILISATION = 0.1;
/** …with more than this share of its energy spent as idle draw. */
export const MOSTLY_IDLE_MIN_IDLE_SHARE = 0.7;
/** Off-hours, local hours in the tariff's zone: [23:00, 07:00), when a homelab is least likely needed. */
export const OFF_HOURS = { from: 23, to: 7 } as const;
/** Quiet off-hours: under this utilisation then… */
export const OFF_HOURS_MAX_UTILISATION = 0.05;
/** …while on-hours it does real work: at least this utilisation and this many times the off-hours one. */
export const ON_HOURS_MIN_UTILISATION = 0.1;
export const ON_OFF_MIN_RATIO = 3;

const QUARTER_HOUR = 900;

/**
 * The steps whose midpoint falls off-hours. Every zone's local hours (and its clock changes) start on a
 * quarter hour of UTC, so each quarter hour is looked up once, not each of a month's minutely steps.
 */
export function offHoursSteps(timezone: string, steps: readonly Step[]): Set<Step> {
  const quarters = new Map<number, boolean>();
  const offHours = (t: number): boolean => {
    const quarter = Math.floor(t / QUARTER_HOUR);
    let off = quarters.get(quarter);
    if (off === undefined) {
      const { hour } = DateTime.fromSeconds(quarter * QUARTER_HOUR, { zone: timezone });
      off = hour >= OFF_HOURS.from || hour < OFF_HOURS.to;
      quarters.set(quarter, off);
    }
    return off;
  };
  return new Set(steps.filter((step) => offHours((step.start + step.end) / 2)));
}

export interface VerdictFacts {
  machine: Machine;
  timezone: string;
  currency: string;
  coverage: number;
  energy_kwh: number;
  idle_kwh: number;
  utilisation: number;
  /** Undefined where that part of the day has no CPU data. */
  on_hours_utilisation: number | undefined;
  off_hours_utilisation: number | undefined;
  /** The machine's energy off-hours and its cost: what switching it off then would save. */
  off_hours_kwh: number;
  off_hours_cost: number;
  amortisation: number;
  cost_per_work_unit: number | undefined;
}

const hh = (hour: number): string => `${String(hour).padStart(2, '0')}:00`;

export function judge(f: VerdictFacts): { verdict: Verdict; reason: string } {
  if (f.coverage === 0)
    return {
      verdict: 'no-data',
      reason: `No power data in the window, so its energy is unknown; amortisation alone comes to ${money(f.amortisation, f.currency)}.`,
    };
  const idleShare = f.energy_kwh > 0 ? f.idle_kwh / f.energy_kwh : 0;
  const mostlyIdle = f.utilisation < MOSTLY_IDLE_MAX_UTILISATION && idleShare > MOSTLY_IDLE_MIN_IDLE_SHARE;
  if (mostlyIdle && f.machine.always_on)
    return {
      verdict: 'earns-its-place',
      reason: `Mostly idle (${percent(f.utilisation)} CPU utilisation, ${percent(idleShare)} of its energy idle draw) but marked always_on, so it stays on.`,
    };
  if (mostlyIdle)
    return {
      verdict: 'mostly-idle-consolidate',
      reason: `Mostly idle: ${percent(f.utilisation)} CPU utilisation, and ${percent(idleShare)} of its ${kwh(f.energy_kwh)} was idle draw; move its workloads to a busier machine and switch it off.`,
    };
  const on = f.on_hours_utilisation;
  const off = f.off_hours_utilisation;
  if (
    f.machine.may_power_off &&
    !f.machine.always_on &&
    on !== undefined &&
    off !== undefined &&
    off < OFF_HOURS_MAX_UTILISATION &&
    on >= ON_HOURS_MIN_UTILISATION &&
    on >= ON_OFF_MIN_RATIO * off
  )
    return {
      verdict: 'power-off-off-hours',
      reason: `${percent(on)} CPU utilisation on-hours but ${percent(off)} off-hours (${hh(OFF_HOURS.from)}–${hh(OFF_HOURS.to)} ${f.timezone}); switching it off then would save about ${kwh(f.off_hours_kwh)} (${money(f.off_hours_cost, f.currency)}) over the window.`,
    };
  const perWork =
    f.cost_per_work_unit === undefined
      ? ''
      : `, ${money(f.cost_per_work_unit, f.currency)} per score-core-hour of work`;
  return {
    verdict: 'earns-its-place',
    reason: `Earns its place: ${percent(f.utilisation)} CPU utilisation, ${percent(1 - idleShare)} of its energy above idle${perWork}.`,
  };
}
