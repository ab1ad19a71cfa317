import { describe, expect, it } from 'vitest';
import { WorkloadCounters } from './accumulator.ts';

/** Readings with one counter per member, or several when given arrays. */
const r = (o: Record<string, Record<string, number | number[]>>) =>
  new Map(
    Object.entries(o).map(([w, m]) => [
      w,
      new Map(Object.entries(m).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    ]),
  );
const first = (c: WorkloadCounters, o: Parameters<typeof r>[0], w: string) => c.update(r(o)).get(w)?.[0];

describe('WorkloadCounters', () => {
  it('sums members on first sight and then grows by increments', () => {
    const c = new WorkloadCounters(1);
    expect(first(c, { web: { a: 10, b: 5 } }, 'web')).toBe(15);
    expect(first(c, { web: { a: 12, b: 6 } }, 'web')).toBe(18);
  });

  it('does not go backwards when a replica stops, and adds a new replica whole', () => {
    const c = new WorkloadCounters(1);
    c.update(r({ web: { a: 10, b: 50 } }));
    expect(first(c, { web: { a: 11 } }, 'web')).toBe(61);
    expect(first(c, { web: { a: 12, c: 3 } }, 'web')).toBe(65);
  });

  it('treats a member whose counter fell as restarted', () => {
    const c = new WorkloadCounters(1);
    c.update(r({ db: { x: 100 } }));
    expect(first(c, { db: { x: 4 } }, 'db')).toBe(104);
  });

  it('forgets a workload that disappeared', () => {
    const c = new WorkloadCounters(1);
    c.update(r({ job: { x: 100 } }));
    c.update(r({}));
    expect(first(c, { job: { x: 5 } }, 'job')).toBe(5);
  });

  it('keeps counters apart and leaves one no member has as NaN', () => {
    const c = new WorkloadCounters(2);
    c.update(r({ w: { a: [1, Number.NaN], b: [2, Number.NaN] } }));
    const [cpu, io] = c.update(r({ w: { a: [3, Number.NaN], b: [2, Number.NaN] } })).get('w') ?? [];
    expect(cpu).toBe(5);
    expect(io).toBeNaN();
    expect([...(c.update(r({ w: { a: [3, 7] } })).get('w') ?? [])]).toEqual([5, 7]);
  });
});
