import { z } from 'zod';

/** What the owner declares about a machine, by its `instance` (the machine's name in Prometheus). */
export const machineDeclarationSchema = z.strictObject({
  /** Alert when the machine's power stays above this many watts. */
  power_budget_watts: z.number().positive().optional(),
  /** A schedule in `alerting.schedules` during which the machine is off on purpose: no down alert. */
  schedule: z.string().min(1).optional(),
  /** A laptop or desktop that sleeps: being unreachable is normal, never a page. */
  may_sleep: z.boolean().default(false),

  // What the cost model needs and Prometheus cannot know (tierwise advise, the collector).
  /** What the machine cost, in the tariff's currency: amortised over lifetime_years. */
  purchase_price: z.number().nonnegative().optional(),
  lifetime_years: z.number().positive().optional(),
  /** What it will sell for at the end of its lifetime. */
  salvage_value: z.number().nonnegative().optional(),
  /** Spares, disks, subscriptions: money per year whatever it runs. */
  upkeep_per_year: z.number().nonnegative().optional(),
  /** The owner allows switching it off when nothing needs it (default: yes). */
  may_power_off: z.boolean().optional(),
  /** Must stay on whatever it runs (a router, the NAS everyone's data lives on). */
  always_on: z.boolean().optional(),
  /** Overrides the inventory's architecture (Docker's names: amd64, arm64, arm, 386). */
  arch: z.string().min(1).optional(),
  /** For machines without the agent's benchmark (SSH-probed ones): a speed score to price their work with. */
  speed_score: z.number().positive().optional(),
});

export const machinesSchema = z.record(z.string().min(1), machineDeclarationSchema);
export type MachineDeclarations = z.infer<typeof machinesSchema>;

export const budgetsSchema = z.strictObject({
  /** Alert when the lab's projected cost for a week exceeds this (in the tariff's currency). */
  weekly_cost: z.number().positive().optional(),
});
export type Budgets = z.infer<typeof budgetsSchema>;
