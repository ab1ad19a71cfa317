import { readdir } from 'node:fs/promises';
import { VERSION } from '../../common/version.ts';
import type { CollectorDefinition } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';

const startTimeSeconds = Date.now() / 1000 - process.uptime();

/**
 * The agent's own footprint, computed only when scraped. prom-client's default metrics would sample
 * the event loop every 10 ms (measured: 1.1 % of a core at idle), which is too much for a Pi Zero.
 */
export const processCollector: CollectorDefinition = {
  name: 'process',
  description: "the agent's own CPU, memory and version",
  defaultEnabled: true,
  create: () => ({
    async collect() {
      const cpu = process.cpuUsage();
      const b = new FamilyBuilder()
        .counter(
          'process_cpu_seconds_total',
          'Total user and system CPU time spent in seconds.',
          (cpu.user + cpu.system) / 1e6,
        )
        .gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', process.memoryUsage.rss())
        .gauge(
          'process_start_time_seconds',
          'Start time of the process since unix epoch in seconds.',
          startTimeSeconds,
        )
        .gauge('tierwise_build_info', 'tierwise version and the Node.js it runs on.', 1, {
          version: VERSION,
          nodejs: process.versions.node,
        });
      const fds = await countOpenFds();
      if (fds !== undefined) b.gauge('process_open_fds', 'Number of open file descriptors.', fds);
      return b.build();
    },
  }),
};

async function countOpenFds(): Promise<number | undefined> {
  try {
    return (await readdir('/proc/self/fd')).length;
  } catch {
    return undefined;
  }
}
