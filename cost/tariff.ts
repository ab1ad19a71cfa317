import { DateTime } from 'luxon';
import type { Tariff } from './scenario.ts';

/**
 * The tariff in time: its price and grid carbon intensity at an instant, and the stretches of an interval
 * over which both stay constant. Bands are local weekdays and local times in the tariff's IANA zone, so a
 * band edge is found in local time and turned back into an instant with the UTC offset in force then:
 * a 23- or 25-hour day comes out right, and a local time that happens twice applies twice.
 */

/** The price and carbon intensity in force at one instant (carbon undefined where the tariff gives none). */
export interface Rate {
  price_per_kwh: number;
  carbon_g_per_kwh: number | undefined;
}

/** [start, end) in epoch seconds at one rate. */
export interface TariffSegment extends Rate {
  start: number;
  end: number;
}

/** Luxon's weekday 1 is Monday. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const SECONDS_PER_MINUTE = 60;

/** Minutes since local midnight of "HH:MM" ("24:00" is 1440, the end of the day). */
export function minutesOfDay(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** Throws unless the tariff's time zone is one luxon knows, naming the key as config errors do. */
export function assertTimeZone(tariff: Tariff): void {
  if (!DateTime.fromSeconds(0, { zone: tariff.timezone }).isValid)
    throw new Error(
      `tariff.timezone: expected an IANA time zone (e.g. Europe/London), got "${tariff.timezone}"`,
    );
}

function local(zone: string, t: number): DateTime {
  return DateTime.fromSeconds(t, { zone });
}

/** The tariff's rate at instant t: the first band matching the local weekday and time, else the default. */
export function rateAt(tariff: Tariff, t: number): Rate {
  const here = local(tariff.timezone, t);
  const day = WEEKDAYS[here.weekday - 1];
  const seconds = (here.hour * 60 + here.minute) * SECONDS_PER_MINUTE + here.second + here.millisecond / 1000;
  const band = tariff.bands.find(
    (b) =>
      (b.days === undefined || (day !== undefined && b.days.includes(day))) &&
      minutesOfDay(b.from) * SECONDS_PER_MINUTE <= seconds &&
      seconds < minutesOfDay(b.to) * SECONDS_PER_MINUTE,
  );
  return {
    price_per_kwh: band?.price_per_kwh ?? tariff.price_per_kwh,
    carbon_g_per_kwh: band?.carbon_g_per_kwh ?? tariff.carbon_g_per_kwh,
  };
}

/** Each local day (its local midnight) that overlaps [start, end). */
function* localDays(zone: string, start: number, end: number): Generator<{ day: DateTime; next: DateTime }> {
  let day = local(zone, start).startOf('day');
  while (day.toSeconds() < end) {
    const next = day.plus({ days: 1 }).startOf('day');
    yield { day, next };
    day = next;
  }
}

/** The first whole second after `from` whose UTC offset differs from `from`'s (zones change on seconds). */
function offsetChange(zone: string, from: number, to: number): number {
  const before = local(zone, from).offset;
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (local(zone, mid).offset === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The instants in [start, end] where the rate may change: local midnights (weekdays change), UTC offset
 * changes (the local clock jumps, possibly over a band edge) and every band edge on every local day.
 * A day is assumed to hold at most one offset change, as every IANA zone's days do today.
 */
function rateCuts(tariff: Tariff, start: number, end: number): number[] {
  const zone = tariff.timezone;
  const edges = [...new Set(tariff.bands.flatMap((b) => [minutesOfDay(b.from), minutesOfDay(b.to)]))];
  const cuts = [start, end];
  for (const { day, next } of localDays(zone, start, end)) {
    cuts.push(day.toSeconds());
    const offsets = new Set([day.offset, next.offset].map((minutes) => minutes * SECONDS_PER_MINUTE));
    if (offsets.size > 1) cuts.push(offsetChange(zone, day.toSeconds(), next.toSeconds()));
    // The day's wall clock read as UTC: an instant is a local time t + offset(t) seconds on it.
    const midnightWall = Date.UTC(day.year, day.month - 1, day.day) / 1000;
    for (const minutes of edges) {
      const wall = midnightWall + minutes * SECONDS_PER_MINUTE;
      for (const offset of offsets) {
        const t = wall - offset;
        // Kept only where that offset is really in force: none for a skipped time, two for a repeated one.
        if (t + local(zone, t).offset * SECONDS_PER_MINUTE === wall) cuts.push(t);
      }
    }
  }
  return [...new Set(cuts.filter((t) => t >= start && t <= end))].sort((a, b) => a - b);
}

/**
 * [start, end) split where the tariff's rate changes, each stretch with its rate; adjacent stretches at the
 * same rate are merged. The stretches tile the interval, so ∫ P·price dt is exact over them.
 */
export function priceSegments(tariff: Tariff, start: number, end: number): TariffSegment[] {
  const cuts = rateCuts(tariff, start, end);
  const segments: TariffSegment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i] as number;
    const to = cuts[i + 1] as number;
    const rate = rateAt(tariff, from);
    const last = segments.at(-1);
    if (
      last !== undefined &&
      last.price_per_kwh === rate.price_per_kwh &&
      last.carbon_g_per_kwh === rate.carbon_g_per_kwh
    )
      last.end = to;
    else segments.push({ start: from, end: to, ...rate });
  }
  return segments;
}

/**
 * Local days the interval spans, each counted by the share of it the interval covers: a whole 23- or
 * 25-hour day is one day, as a supplier bills it.
 */
export function localDayCount(tariff: Tariff, start: number, end: number): number {
  let days = 0;
  for (const { day, next } of localDays(tariff.timezone, start, end)) {
    const from = day.toSeconds();
    const to = next.toSeconds();
    days += (Math.min(end, to) - Math.max(start, from)) / (to - from);
  }
  return days;
}
