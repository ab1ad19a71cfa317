import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from the minimum up to the cap, and starts again after a reset', () => {
    const b = new Backoff(1000, 60_000);
    expect(Array.from({ length: 9 }, () => b.next())).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
    b.reset();
    expect(b.next()).toBe(1000);
  });
});
