import type { RetryConfig } from './config.ts';

/** An error that another attempt cannot fix (a 404, a refused login): retrying stops at once. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The wait before attempt `attempt` (2 for the first retry): doubling from the initial delay up to
 * the maximum. With jitter it falls in the upper half of that, never below half.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryConfig,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.initial_delay_seconds * 2 ** Math.max(0, attempt - 2),
    policy.max_delay_seconds,
  );
  const factor = policy.jitter ? 0.5 + random() * 0.5 : 1;
  return Math.round(base * factor * 1000);
}

export type RetryResult = { ok: true; attempts: number } | { ok: false; attempts: number; error: Error };

export interface RetryHooks {
  sleep?: Sleep;
  random?: () => number;
  /** Called after each failed attempt that will be retried. */
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
}

/** Runs `task` until it succeeds, fails for good (DeliveryError not retryable), or attempts run out. */
export async function withRetries(
  task: (attempt: number) => Promise<void>,
  policy: RetryConfig,
  hooks: RetryHooks = {},
): Promise<RetryResult> {
  const sleep = hooks.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      await task(attempt);
      return { ok: true, attempts: attempt };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const final = attempt >= policy.attempts || (error instanceof DeliveryError && !error.retryable);
      if (final) return { ok: false, attempts: attempt, error };
      const delay = retryDelayMs(attempt + 1, policy, hooks.random);
      hooks.onRetry?.(attempt, error, delay);
      await sleep(delay);
    }
  }
}
