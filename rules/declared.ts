import type { Budgets, MachineDeclarations } from './declared-schema.ts';
import type { RecordingRule, RuleGroup } from './types.ts';

/**
 * The owner's declarations as constant series, so alert rules can join against them like any other
 * series: `tierwise:node_power_budget_watts{instance}`, `tierwise:weekly_cost_budget`, and
 * `tierwise:node_declared_info{instance, power_schedule, may_sleep}`.
 */
export function declaredGroups(machines: MachineDeclarations, budgets: Budgets): RuleGroup[] {
  const rules: RecordingRule[] = [];
  for (const [instance, m] of Object.entries(machines).sort(([a], [b]) => a.localeCompare(b))) {
    if (m.power_budget_watts !== undefined)
      rules.push({
        record: 'tierwise:node_power_budget_watts',
        expr: `vector(${m.power_budget_watts})`,
        labels: { instance },
      });
    rules.push({
      record: 'tierwise:node_declared_info',
      expr: 'vector(1)',
      labels: { instance, power_schedule: m.schedule ?? '', may_sleep: String(m.may_sleep) },
    });
  }
  if (budgets.weekly_cost !== undefined)
    rules.push({ record: 'tierwise:weekly_cost_budget', expr: `vector(${budgets.weekly_cost})` });
  return rules.length > 0 ? [{ name: 'tierwise-declared', rules }] : [];
}
