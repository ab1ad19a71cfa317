import { describe, expect, it } from 'vitest';
import type { RetryConfig } from './config.ts';
import { DeliveryError, retryDelayMs, withRetries } from './retry.ts';

const policy: RetryConfig = { attempts: 5, initial_delay_seconds: 30, max_delay_seconds: 100, jitter: false };

describe('retryDelayMs', () => {
  it('doubles from the initial delay up to the maximum', () => {
    expect([2, 3, 4, 5].map((a) => retryDelayMs(a, policy))).toEqual([30_000, 60_000, 100_000, 100_000]);
  });

  it('with jitter stays in the upper half of the delay', () => {
    const jittered = { ...policy, jitter: true };
    expect(retryDelayMs(3, jittered, () => 0)).toBe(30_000);
    expect(retryDelayMs(3, jittered, () => 0.999_999)).toBe(60_000);
  });
});

describe('withRetries', () => {
  it('retries until success and waits the back-off between attempts', async () => {
    const waits: number[] = [];
    const result = await withRetries(
      async (attempt) => {
        if (attempt < 3) throw new Error(`fail ${attempt}`);
      },
      policy,
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(waits).toEqual([30_000, 60_000]);
  });

  it('gives up after the last attempt with the last error', async () => {
    const result = await withRetries(
      async (attempt) => {
        throw new Error(`fail ${attempt}`);
      },
      policy,
      { sleep: async () => {} },
    );
    expect(result).toMatchObject({ ok: false, attempts: 5, error: { message: 'fail 5' } });
  });

  it('stops at once on an error another attempt cannot fix', async () => {
    const result = await withRetries(
      async () => {
        throw new DeliveryError('HTTP 404', false);
      },
      policy,
      { sleep: async () => {} },
    );
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { message: 'HTTP 404' } });
  });
});
