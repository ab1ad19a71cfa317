import { describe, expect, it } from 'vitest';
import { RemainderCounter } from './remainder.ts';

const m = (o: Record<string, number>) => new Map(Object.entries(o));

describe('RemainderCounter', () => {
  it('gives the remainder the machine increase the workloads did not take', () => {
    const r = new RemainderCounter();
    expect(r.update(100, m({ a: 10, b: 20 }))).toBe(0);
    expect(r.update(110, m({ a: 13, b: 24 }))).toBe(3);
    expect(r.update(130, m({ a: 20, b: 30 }))).toBe(10);
  });

  it('does not jump when a workload disappears or appears', () => {
    const r = new RemainderCounter();
    r.update(100, m({ a: 10, b: 50 }));
    // b stopped; its 50 s leave the sum but were never the remainder's.
    expect(r.update(105, m({ a: 12 }))).toBe(3);
    // c is new with 4 s already: the interval's whole increase that a did not use goes to the remainder.
    expect(r.update(110, m({ a: 13, c: 4 }))).toBe(7);
    expect(r.update(112, m({ a: 13, c: 6 }))).toBe(7);
  });

  it('never goes backwards, also when the parts outrun the total or the total resets', () => {
    const r = new RemainderCounter();
    r.update(100, m({ a: 10 }));
    expect(r.update(101, m({ a: 13 }))).toBe(0);
    expect(r.update(50, m({ a: 14 }))).toBe(0);
    expect(r.update(60, m({ a: 15 }))).toBe(9);
  });
});
