import { type CollectorDefinition, procPath, readRequired } from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { type MeminfoEntry, parseMeminfo } from '../parsers/meminfo.ts';

/** One gauge per /proc/meminfo field, named as node_exporter names it; shared with the SSH probe. */
export function meminfoFamilies(entries: readonly MeminfoEntry[]): MetricFamily[] {
  const families = new FamilyBuilder();
  for (const { key, value } of entries) {
    families.gauge(`node_memory_${key}`, `Memory information field ${key}.`, value);
  }
  return families.build();
}

export const meminfoCollector: CollectorDefinition = {
  name: 'meminfo',
  description: 'Every /proc/meminfo field as node_memory_<field>[_bytes], named as node_exporter names it.',
  defaultEnabled: true,
  create: ({ paths }) => ({
    async collect() {
      return meminfoFamilies(parseMeminfo(await readRequired(procPath(paths, 'meminfo'))));
    },
  }),
};
