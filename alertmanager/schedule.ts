/** Go's weekday order, which Alertmanager's ranges must run forwards in (saturday:sunday is not a range there). */
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

const DAY = `(${DAYS.join('|')})`;
export const WEEKDAY_SPEC = new RegExp(`^${DAY}(:${DAY})?$`);

/** One entry of an Alertmanager `time_intervals[].time_intervals` list. */
export interface TimeInterval {
  weekdays?: string[];
  times: { start_time: string; end_time: string }[];
  location: string;
}

export interface ScheduleWindow {
  weekdays?: string[] | undefined;
  start: string;
  end: string;
}

function dayIndex(day: string): number {
  const i = DAYS.indexOf(day as (typeof DAYS)[number]);
  if (i < 0) throw new Error(`not a weekday: ${day}`);
  return i;
}

/** The days a list of `monday` / `friday:monday` entries covers; a range may wrap past saturday. */
export function expandWeekdays(specs: string[]): Set<number> {
  const days = new Set<number>();
  for (const spec of specs) {
    const [from = '', to = from] = spec.split(':');
    const start = dayIndex(from);
    const span = (dayIndex(to) - start + 7) % 7;
    for (let d = 0; d <= span; d++) days.add((start + d) % 7);
  }
  return days;
}

/** Days as Alertmanager accepts them: ascending non-wrapping ranges (`monday:friday`, `sunday`). */
export function weekdayRanges(days: Set<number>): string[] {
  const runs: [number, number][] = [];
  for (const d of [...days].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && last[1] === d - 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs.map(([a, b]) => (a === b ? DAYS[a] : `${DAYS[a]}:${DAYS[b]}`) ?? '');
}

/**
 * One schedule window as Alertmanager time intervals. Alertmanager wants start < end within a day, so a
 * window that runs past midnight (23:00–07:00) becomes the evening on its days and the morning on the
 * day after each.
 */
export function timeIntervals(window: ScheduleWindow, location: string): TimeInterval[] {
  const days = window.weekdays ? expandWeekdays(window.weekdays) : undefined;
  const interval = (d: Set<number> | undefined, start_time: string, end_time: string): TimeInterval =>
    d
      ? { weekdays: weekdayRanges(d), times: [{ start_time, end_time }], location }
      : { times: [{ start_time, end_time }], location };
  if (window.start < window.end || window.end === '24:00') return [interval(days, window.start, window.end)];
  const evening = interval(days, window.start, '24:00');
  if (window.end === '00:00') return [evening];
  const nextDays = days ? new Set([...days].map((d) => (d + 1) % 7)) : undefined;
  return [evening, interval(nextDays, '00:00', window.end)];
}
