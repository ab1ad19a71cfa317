import { z } from 'zod';

/** What the owner declares about a machine, by its `instance` (the machine's name in Prometheus). */
export const machineDeclarationSchema = z.strictObject({
  /** Alert when the machine's power stays above this many watts. */
  power_budget_watts: z.number().positive().optional(),
  /** A schedule in `alerting.schedules` during which the machine is off on purpose: no down alert. */
  schedule: z.string().min(1).optional(),
  /** A laptop or desktop that sleeps: being unreachable is normal, never a page. */
  may_sleep: z.boolean().default(false),
});

export const machinesSchema = z.record(z.string().min(1), machineDeclarationSchema);
export type MachineDeclarations = z.infer<typeof machinesSchema>;

export const budgetsSchema = z.strictObject({
  /** Alert when the lab's projected cost for a week exceeds this (in the tariff's currency). */
  weekly_cost: z.number().positive().optional(),
});
export type Budgets = z.infer<typeof budgetsSchema>;
