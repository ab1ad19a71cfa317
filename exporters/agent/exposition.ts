import { Registry } from 'prom-client';
import type { MetricFamily } from '../metrics.ts';

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * Renders one scrape's families in the Prometheus text format through prom-client's formatter. A fresh
 * registry per scrape holds plain adapters, not stateful gauges, so concurrent scrapes never see each
 * other's values. Families of the same name from different collectors are merged, never dropped.
 */
export async function renderExposition(families: MetricFamily[]): Promise<string> {
  const byName = new Map<string, MetricFamily>();
  for (const family of families) {
    const seen = byName.get(family.name);
    if (seen) seen.samples.push(...family.samples);
    else byName.set(family.name, { ...family, samples: [...family.samples] });
  }
  const registry = new Registry();
  for (const family of byName.values()) {
    const metric = {
      name: family.name,
      help: family.help,
      type: family.type,
      aggregator: 'sum' as const,
      get: () => ({ ...metric, values: family.samples }),
    };
    // prom-client accepts any object with name and get(); its typings only admit its own classes.
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  return registry.metrics();
}
