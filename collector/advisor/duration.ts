import { z } from 'zod';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const;

/** "90s", "5m", "6h", "7d", "2w" in seconds; undefined for anything else (zero included). */
export function parseDuration(text: string): number | undefined {
  const m = /^([1-9]\d*)([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

/** A duration in tierwise.yml, as Prometheus writes them; parsed to seconds. */
export const durationSchema = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration above zero, such as 5m, 6h or 7d' });
    return z.NEVER;
  }
  return seconds;
});

/** 604800 → "7d": the largest unit up to days that divides it, for messages and the JSON answer. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
