import type { FamilyBuilder, Labels } from '../metrics.ts';

/** Where a node's power figure comes from (ARCHITECTURE.md's `source` label). */
export type PowerSource = 'plug' | 'hwmon' | 'battery' | 'pmic' | 'rapl' | 'gpu' | 'model';

/** The node power series every power source writes, under one help text so they merge into one family. */
export function addNodePower(
  b: FamilyBuilder,
  source: PowerSource,
  reading: { watts?: number; joules?: number },
  extra: Labels = {},
): void {
  const labels = { source, ...extra };
  if (reading.watts !== undefined)
    b.gauge(
      'tierwise_node_power_watts',
      'Power the node draws, by where it was measured or estimated (source).',
      reading.watts,
      labels,
    );
  if (reading.joules !== undefined)
    b.counter(
      'tierwise_node_energy_joules_total',
      'Energy the node used, by where it was measured or estimated (source).',
      reading.joules,
      labels,
    );
}
