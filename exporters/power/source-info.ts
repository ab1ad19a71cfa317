import type { MetricFamily } from '../metrics.ts';
import type { PowerSource } from './series.ts';

/**
 * Whole-machine sources, best first: coverage before precision, since the cost model prices what the
 * machine draws at the wall. A plug sees everything including the power supply's loss; an ACPI power
 * meter (hwmon) the system's input; a battery, while discharging, the whole DC draw; a Pi 5's PMIC the
 * board's rails; the model estimates the whole machine from its profile; RAPL measures exactly, but only
 * the CPU package and memory. GPUs are a component, added to the others by the recording rule.
 */
export const SOURCE_RANK: readonly PowerSource[] = ['plug', 'hwmon', 'battery', 'pmic', 'model', 'rapl'];

/**
 * `tierwise_node_power_source_info{source}` for the best source that reported power on this scrape,
 * derived from the scrape's own tierwise_node_power_watts samples; none when no source did.
 */
export function powerSourceInfo(families: MetricFamily[]): MetricFamily | undefined {
  const reported = new Set(
    families
      .filter((f) => f.name === 'tierwise_node_power_watts')
      .flatMap((f) => f.samples.map((s) => s.labels.source)),
  );
  const best = SOURCE_RANK.find((s) => reported.has(s));
  if (best === undefined) return undefined;
  return {
    name: 'tierwise_node_power_source_info',
    help: 'The best whole-machine power source this node has (plug > hwmon > battery > pmic > model > rapl).',
    type: 'gauge',
    samples: [{ labels: { source: best }, value: 1 }],
  };
}
