/**
 * The plain-data form every collector returns: metric families with samples. Collectors never touch
 * prom-client directly, so they stay testable as "input files in, families out", and one scrape's
 * families never share state with another's (scrapes may run concurrently).
 */

export type MetricType = 'gauge' | 'counter' | 'untyped';

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** Builds families keyed by name so a collector can add samples in any order. */
export class FamilyBuilder {
  private readonly families = new Map<string, MetricFamily>();

  gauge(name: string, help: string, value: number, labels: Labels = {}): this {
    return this.add(name, help, 'gauge', value, labels);
  }

  counter(name: string, help: string, value: number, labels: Labels = {}): this {
    return this.add(name, help, 'counter', value, labels);
  }

  add(name: string, help: string, type: MetricType, value: number, labels: Labels = {}): this {
    let family = this.families.get(name);
    if (!family) {
      family = { name, help, type, samples: [] };
      this.families.set(name, family);
    }
    family.samples.push({ labels, value });
    return this;
  }

  build(): MetricFamily[] {
    return [...this.families.values()];
  }
}

/** Replaces characters invalid in a metric name with "_", as node_exporter does for meminfo keys. */
export function sanitizeMetricName(raw: string): string {
  return raw.replace(/[^a-zA-Z0-9_:]/g, '_');
}
