import { z } from 'zod';
import { optionsSchema } from '../../cost/scenario.ts';
import { durationSchema } from './duration.ts';

const listen = z.string().regex(/^(\[[^\]]+\]|[^\s:]*):\d+$/, 'expected [host]:port (e.g. :10092)');

/** `tierwise collector` and `tierwise advise --prometheus`: where the history is and how much to read. */
export const collectorConfigSchema = z.strictObject({
  listen_address: listen.default(':10092'),
  /** Prometheus (or VictoriaMetrics) HTTP API; `--prometheus` overrides it. */
  prometheus: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }).optional(),
      basic_auth: z
        .strictObject({ username: z.string().min(1), password_file: z.string().min(1) })
        .optional(),
      timeout_seconds: z.number().positive().default(60),
    })
    .prefault({}),
  /** How much history each run prices: a week covers a weekday/weekend cycle. */
  window: durationSchema.prefault('7d'),
  /** One point per this interval: the contract's 5-minute averages, so finer adds nothing. */
  step: durationSchema.prefault('5m'),
  /** How often the collector recomputes /api/costs and /api/placement. */
  refresh_interval: durationSchema.prefault('1h'),
  /** How often the front page's "this week so far" is recomputed: queries and costs, no solver run. */
  live_refresh_interval: durationSchema.prefault('5m'),
  /** The cost model's options (cost/scenario.ts): headroom, idle sharing, migration cost, min coverage. */
  options: optionsSchema.prefault({}),
});
export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
