import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/log.ts';
import { cronProblem, nextReportRuns, scheduleReports } from './schedule.ts';

describe('nextReportRuns', () => {
  it('keeps Monday 07:00 local across the spring DST change', () => {
    // Europe/London moves to BST on Sunday 29 March 2026: 07:00 local is 07:00Z, then 06:00Z.
    const runs = nextReportRuns('0 7 * * 1', 'Europe/London', 3, new Date('2026-03-20T00:00:00Z'));
    expect(runs.map((d) => d.toISOString())).toEqual([
      '2026-03-23T07:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
      '2026-04-06T06:00:00.000Z',
    ]);
  });

  it('keeps it across the autumn change in another zone', () => {
    // America/New_York leaves EDT on Sunday 1 November 2026.
    const runs = nextReportRuns('0 7 * * 1', 'America/New_York', 2, new Date('2026-10-28T00:00:00Z'));
    expect(runs.map((d) => d.toISOString())).toEqual([
      '2026-11-02T12:00:00.000Z',
      '2026-11-09T12:00:00.000Z',
    ]);
  });

  it('runs a time that the spring change skips once, just after the gap', () => {
    const runs = nextReportRuns('30 1 * * 0', 'Europe/London', 2, new Date('2026-03-28T00:00:00Z'));
    expect(runs.map((d) => d.toISOString())).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-04-05T00:30:00.000Z',
    ]);
  });
});

describe('cronProblem', () => {
  it('accepts five fields and refuses others', () => {
    expect(cronProblem('0 7 * * 1')).toBeUndefined();
    expect(cronProblem('0 0 7 * * 1')).toBeDefined();
    expect(cronProblem('0 25 * * 1')).toBeDefined();
  });
});

describe('scheduleReports', () => {
  it('schedules the next run in the future and stops', () => {
    const schedule = scheduleReports('0 7 * * 1', 'Europe/London', async () => {}, silentLogger);
    const next = schedule.nextRun();
    expect(next?.getTime()).toBeGreaterThan(Date.now());
    expect(next?.getTime()).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);
    schedule.stop();
    expect(schedule.nextRun()).toBeNull();
  });
});
