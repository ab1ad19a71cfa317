import { describe, expect, it } from 'vitest';
import { expandWeekdays, timeIntervals, weekdayRanges } from './schedule.ts';

describe('weekdays', () => {
  it.each([
    [['monday:friday'], ['monday:friday']],
    [
      ['saturday', 'sunday'],
      ['sunday', 'saturday'],
    ],
    [['friday:monday'], ['sunday:monday', 'friday:saturday']],
    [['sunday:saturday'], ['sunday:saturday']],
    [['tuesday', 'monday', 'wednesday:thursday'], ['monday:thursday']],
  ])('%j become Alertmanager ranges %j', (specs, ranges) => {
    expect(weekdayRanges(expandWeekdays(specs))).toEqual(ranges);
  });
});

describe('timeIntervals', () => {
  it('keeps a window within a day as it is', () => {
    expect(
      timeIntervals({ weekdays: ['monday:friday'], start: '09:00', end: '17:30' }, 'Europe/Paris'),
    ).toEqual([
      {
        weekdays: ['monday:friday'],
        times: [{ start_time: '09:00', end_time: '17:30' }],
        location: 'Europe/Paris',
      },
    ]);
  });

  it('runs a window to 24:00 without a second part', () => {
    expect(timeIntervals({ start: '22:00', end: '24:00' }, 'UTC')).toHaveLength(1);
    expect(timeIntervals({ start: '22:00', end: '00:00' }, 'UTC')).toEqual([
      { times: [{ start_time: '22:00', end_time: '24:00' }], location: 'UTC' },
    ]);
  });

  it('splits a window past midnight, the morning on the day after', () => {
    expect(timeIntervals({ weekdays: ['saturday'], start: '23:00', end: '07:00' }, 'UTC')).toEqual([
      { weekdays: ['saturday'], times: [{ start_time: '23:00', end_time: '24:00' }], location: 'UTC' },
      { weekdays: ['sunday'], times: [{ start_time: '00:00', end_time: '07:00' }], location: 'UTC' },
    ]);
  });

  it('splits an every-day window past midnight without naming days', () => {
    expect(timeIntervals({ start: '23:00', end: '07:00' }, 'UTC')).toEqual([
      { times: [{ start_time: '23:00', end_time: '24:00' }], location: 'UTC' },
      { times: [{ start_time: '00:00', end_time: '07:00' }], location: 'UTC' },
    ]);
  });
});
