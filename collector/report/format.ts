import { DateTime } from 'luxon';
import { kwh, money, percent } from '../../cost/format.ts';
import type { WeeklyReport } from './model.ts';

/** Figures and times as both renderers write them, so the HTML and the Markdown say the same. */

export { kwh, money, percent };

type Change = WeeklyReport['totals']['energy_kwh'];

const signed = (v: number, text: string) => (v > 0 ? `+${text}` : v < 0 ? `−${text}` : text);

/** "+1.20 EUR (+5.0 %)", or "no data" where last week had none. */
export function changeText(c: Change, unit: (v: number) => string): string {
  if (c.change === null) return 'no data';
  const ratio =
    c.change_ratio === null ? '' : ` (${signed(c.change_ratio, percent(Math.abs(c.change_ratio)))})`;
  return `${signed(c.change, unit(Math.abs(c.change)))}${ratio}`;
}

/** A machine's or tier's total against last week's, or "new" where it had none. */
export function costChange(now: number, previous: number | null, currency: string): string {
  if (previous === null) return 'new';
  return changeText(
    {
      value: now,
      previous,
      change: now - previous,
      change_ratio: previous === 0 ? null : (now - previous) / previous,
    },
    (v) => money(v, currency),
  );
}

export const carbon = (kg: number) => `${kg.toFixed(1)} kg CO2e`;

/** "Mon 16 Nov 2026 00:00" in the report's zone: the week is the owner's week, not UTC's. */
export const localTime = (seconds: number, zone: string) =>
  DateTime.fromSeconds(seconds, { zone }).toFormat('ccc d LLL yyyy HH:mm');

export function durationText(seconds: number): string {
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** The heading of the week: its local bounds, hours and zone. */
export function weekLine(r: WeeklyReport): string {
  const w = r.week;
  return `${localTime(w.start, w.timezone)} – ${localTime(w.end, w.timezone)} ${w.timezone}, ${w.hours} h`;
}

export function verdictText(v: WeeklyReport['machines'][number]['verdict']): string {
  return {
    'earns-its-place': 'earns its place',
    'mostly-idle-consolidate': 'mostly idle: consolidate',
    'power-off-off-hours': 'switch off off-hours',
    'no-data': 'no data',
  }[v];
}

/** Mean and peak watts of a tier over the week, for the tables beside (or instead of) the chart. */
export function tierPower(watts: readonly (number | null)[]): { mean?: number; peak?: number } {
  const present = watts.filter((w): w is number => w !== null);
  if (present.length === 0) return {};
  return { mean: present.reduce((a, w) => a + w, 0) / present.length, peak: Math.max(...present) };
}

/** A recommended move as both renderers' tables show it: workload, from, to, savings, why. */
export function moveCells(m: WeeklyReport['plan']['moves'][number], currency: string): string[] {
  return [
    m.workload,
    m.from,
    m.to,
    money(m.saving_per_week, currency),
    money(m.saving_per_month, currency),
    m.reason,
  ];
}
