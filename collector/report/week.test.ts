import { describe, expect, it } from 'vitest';
import { hoursNote, lastCompleteWeek, parseWeek, previousWeek, WeekError } from './week.ts';

const utc = (y: number, mo: number, d: number, h = 0) => Date.UTC(y, mo - 1, d, h) / 1000;

describe('parseWeek', () => {
  it('gives 167 hours for the week Berlin springs forward (29 March 2026)', () => {
    const w = parseWeek('2026-W13', 'Europe/Berlin');
    expect(w).toEqual({
      label: '2026-W13',
      year: 2026,
      week: 13,
      timezone: 'Europe/Berlin',
      start: utc(2026, 3, 22, 23), // Monday 23 March 00:00 CET
      end: utc(2026, 3, 29, 22), // Monday 30 March 00:00 CEST
      hours: 167,
    });
    expect(w.start).toBe(1774220400);
    expect(w.end).toBe(1774821600);
    expect(hoursNote(w)).toBe('2026-W13 has 167 hours in Europe/Berlin: the clocks went forward that week');
  });

  it('gives 169 hours for the week Berlin falls back (25 October 2026 is in W43, not W44)', () => {
    const w43 = parseWeek('2026-W43', 'Europe/Berlin');
    expect([w43.start, w43.end, w43.hours]).toEqual([utc(2026, 10, 18, 22), utc(2026, 10, 25, 23), 169]);
    expect([w43.start, w43.end]).toEqual([1792360800, 1792969200]);
    expect(hoursNote(w43)).toMatch(/169 hours .* clocks went back/);
    const w44 = parseWeek('2026-W44', 'Europe/Berlin');
    expect([w44.start, w44.end, w44.hours]).toEqual([utc(2026, 10, 25, 23), utc(2026, 11, 1, 23), 168]);
    expect(hoursNote(w44)).toBeUndefined();
  });

  it('follows New York, whose clocks change on other Sundays (8 March, 1 November 2026)', () => {
    const spring = parseWeek('2026-W10', 'America/New_York');
    expect([spring.start, spring.end, spring.hours]).toEqual([utc(2026, 3, 2, 5), utc(2026, 3, 9, 4), 167]);
    // Berlin has not changed yet that week.
    expect(parseWeek('2026-W10', 'Europe/Berlin').hours).toBe(168);
    const fall = parseWeek('2026-W44', 'America/New_York');
    expect([fall.start, fall.end, fall.hours]).toEqual([utc(2026, 10, 26, 4), utc(2026, 11, 2, 5), 169]);
    expect(fall.start).toBe(1792987200);
  });

  it('has a week 53 in 2026 (28 December – 3 January 2027) but none in 2025', () => {
    const w = parseWeek('2026-W53', 'UTC');
    expect([w.start, w.end, w.hours]).toEqual([utc(2026, 12, 28), utc(2027, 1, 4), 168]);
    expect(w.start).toBe(1798416000);
    expect(() => parseWeek('2025-W53', 'UTC')).toThrow(
      new WeekError('2025-W53 does not exist: 2025 has 52 ISO weeks'),
    );
    // ISO week 1 of 2026 starts in 2025.
    expect(parseWeek('2026-W01', 'UTC').start).toBe(utc(2025, 12, 29));
  });

  it('refuses what is not a week or not a zone', () => {
    for (const bad of ['2026-47', '2026-W7', 'W47', '2026-W00', '2026-W54'])
      expect(() => parseWeek(bad, 'UTC'), bad).toThrow(WeekError);
    expect(() => parseWeek('2026-W10', 'Europe/Atlantis')).toThrow(/unknown time zone "Europe\/Atlantis"/);
  });
});

describe('lastCompleteWeek', () => {
  it('is the week before the current one in the zone', () => {
    // Wednesday 25 November 2026 12:00 UTC is in W48: the last complete week is W47.
    const w = lastCompleteWeek(utc(2026, 11, 25, 12), 'Europe/Berlin');
    expect(w.label).toBe('2026-W47');
    expect([w.start, w.end]).toEqual([utc(2026, 11, 15, 23), utc(2026, 11, 22, 23)]);
  });

  it('counts a week that ended exactly at the instant, and no later one', () => {
    const monday = utc(2026, 11, 22, 23); // Monday 23 November 00:00 in Berlin
    expect(lastCompleteWeek(monday, 'Europe/Berlin').label).toBe('2026-W47');
    expect(lastCompleteWeek(monday - 1, 'Europe/Berlin').label).toBe('2026-W46');
    // Still Sunday in New York: W47 has not ended there.
    expect(lastCompleteWeek(monday, 'America/New_York').label).toBe('2026-W46');
  });

  it('crosses into the previous ISO year, and to week 53', () => {
    expect(lastCompleteWeek(utc(2027, 1, 6), 'UTC').label).toBe('2026-W53');
    expect(lastCompleteWeek(utc(2026, 1, 1), 'UTC').label).toBe('2025-W52');
  });
});

describe('previousWeek', () => {
  it('steps back one ISO week in the same zone, across a year and a clock change', () => {
    expect(previousWeek(parseWeek('2027-W01', 'UTC')).label).toBe('2026-W53');
    const before = previousWeek(parseWeek('2026-W14', 'Europe/Berlin'));
    expect(before).toEqual(parseWeek('2026-W13', 'Europe/Berlin'));
  });
});
