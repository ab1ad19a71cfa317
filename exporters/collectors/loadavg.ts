import { type CollectorDefinition, procPath, readRequired } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';
import { parseLoadavg } from '../parsers/loadavg.ts';

export const loadavgCollector: CollectorDefinition = {
  name: 'loadavg',
  description: 'The 1, 5 and 15 minute load averages from /proc/loadavg, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths }) => ({
    async collect() {
      const load = parseLoadavg(await readRequired(procPath(paths, 'loadavg')));
      return new FamilyBuilder()
        .gauge('node_load1', '1m load average.', load.load1)
        .gauge('node_load5', '5m load average.', load.load5)
        .gauge('node_load15', '15m load average.', load.load15)
        .build();
    },
  }),
};
