import { DateTime, IANAZone } from 'luxon';

/**
 * An ISO week (Monday 00:00 to the next Monday 00:00) in a time zone, as epoch seconds. A week across a
 * clock change has 167 or 169 hours, and every figure the report gives is over exactly those hours.
 */
export interface IsoWeek {
  /** `2026-W47`. */
  label: string;
  year: number;
  week: number;
  timezone: string;
  start: number;
  end: number;
  hours: number;
}

/** A week or time zone the user gave that does not exist. */
export class WeekError extends Error {
  override readonly name = 'WeekError';
}

const LABEL = /^(\d{4})-W(\d{2})$/;

function checkZone(timezone: string): void {
  if (!IANAZone.isValidZone(timezone))
    throw new WeekError(`unknown time zone "${timezone}": expected an IANA name such as Europe/Berlin`);
}

function weekOf(monday: DateTime, timezone: string): IsoWeek {
  const start = monday.startOf('day');
  const end = start.plus({ weeks: 1 }).startOf('day');
  return {
    label: `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}`,
    year: start.weekYear,
    week: start.weekNumber,
    timezone,
    start: start.toSeconds(),
    end: end.toSeconds(),
    hours: (end.toSeconds() - start.toSeconds()) / 3600,
  };
}

/** `2026-W47` in the zone; a week 53 only where that ISO year has one. */
export function parseWeek(label: string, timezone: string): IsoWeek {
  checkZone(timezone);
  const m = LABEL.exec(label);
  if (!m) throw new WeekError(`expected an ISO week such as 2026-W47, got "${label}"`);
  const year = Number(m[1]);
  const week = Number(m[2]);
  const weeks = DateTime.fromObject(
    { weekYear: year, weekNumber: 1, weekday: 1 },
    { zone: timezone },
  ).weeksInWeekYear;
  if (week < 1 || week > weeks)
    throw new WeekError(`${label} does not exist: ${year} has ${weeks} ISO weeks`);
  return weekOf(
    DateTime.fromObject({ weekYear: year, weekNumber: week, weekday: 1 }, { zone: timezone }),
    timezone,
  );
}

/** The week `nowSeconds` falls in, in the zone (a week starting exactly then counts). */
export function weekContaining(nowSeconds: number, timezone: string): IsoWeek {
  checkZone(timezone);
  return weekOf(DateTime.fromSeconds(nowSeconds, { zone: timezone }).startOf('week'), timezone);
}

/** The last week that had ended by `nowSeconds` in the zone (a week ending exactly then counts). */
export function lastCompleteWeek(nowSeconds: number, timezone: string): IsoWeek {
  return previousWeek(weekContaining(nowSeconds, timezone));
}

export function previousWeek(w: IsoWeek): IsoWeek {
  return weekOf(DateTime.fromSeconds(w.start, { zone: w.timezone }).minus({ weeks: 1 }), w.timezone);
}

/** For the report's header: why this week is not 168 hours, or nothing when it is. */
export function hoursNote(w: IsoWeek): string | undefined {
  if (w.hours === 168) return undefined;
  const change = w.hours < 168 ? 'clocks went forward' : 'clocks went back';
  return `${w.label} has ${w.hours} hours in ${w.timezone}: the ${change} that week`;
}
