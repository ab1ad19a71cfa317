import { type CollectorDefinition, procPath, readRequired } from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { type LoadAverage, parseLoadavg } from '../parsers/loadavg.ts';

/** node_load1, node_load5 and node_load15; shared with the SSH probe (collector/probe). */
export function loadavgFamilies(load: LoadAverage): MetricFamily[] {
  return new FamilyBuilder()
    .gauge('node_load1', '1m load average.', load.load1)
    .gauge('node_load5', '5m load average.', load.load5)
    .gauge('node_load15', '15m load average.', load.load15)
    .build();
}

export const loadavgCollector: CollectorDefinition = {
  name: 'loadavg',
  description: 'The 1, 5 and 15 minute load averages from /proc/loadavg, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths }) => ({
    async collect() {
      return loadavgFamilies(parseLoadavg(await readRequired(procPath(paths, 'loadavg'))));
    },
  }),
};
