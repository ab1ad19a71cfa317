import { describe, expect, it } from 'vitest';
import { WorkloadCounters } from './accumulator.ts';

const r = (o: Record<string, Record<string, number>>) =>
  new Map(Object.entries(o).map(([w, m]) => [w, new Map(Object.entries(m))]));

describe('WorkloadCounters', () => {
  it('sums members on first sight and then grows by increments', () => {
    const c = new WorkloadCounters();
    expect(c.update(r({ web: { a: 10, b: 5 } })).get('web')).toBe(15);
    expect(c.update(r({ web: { a: 12, b: 6 } })).get('web')).toBe(18);
  });

  it('does not go backwards when a replica stops, and adds a new replica whole', () => {
    const c = new WorkloadCounters();
    c.update(r({ web: { a: 10, b: 50 } }));
    expect(c.update(r({ web: { a: 11 } })).get('web')).toBe(61);
    expect(c.update(r({ web: { a: 12, c: 3 } })).get('web')).toBe(65);
  });

  it('treats a member whose counter fell as restarted', () => {
    const c = new WorkloadCounters();
    c.update(r({ db: { x: 100 } }));
    expect(c.update(r({ db: { x: 4 } })).get('db')).toBe(104);
  });

  it('forgets a workload that disappeared', () => {
    const c = new WorkloadCounters();
    c.update(r({ job: { x: 100 } }));
    c.update(r({}));
    expect(c.update(r({ job: { x: 5 } })).get('job')).toBe(5);
  });
});
