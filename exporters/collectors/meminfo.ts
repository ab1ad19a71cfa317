import { type CollectorDefinition, procPath, readRequired } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';
import { parseMeminfo } from '../parsers/meminfo.ts';

export const meminfoCollector: CollectorDefinition = {
  name: 'meminfo',
  description: 'Every /proc/meminfo field as node_memory_<field>[_bytes], named as node_exporter names it.',
  defaultEnabled: true,
  create: ({ paths }) => ({
    async collect() {
      const families = new FamilyBuilder();
      for (const { key, value } of parseMeminfo(await readRequired(procPath(paths, 'meminfo')))) {
        families.gauge(`node_memory_${key}`, `Memory information field ${key}.`, value);
      }
      return families.build();
    },
  }),
};
