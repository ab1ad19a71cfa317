import { type CollectorDefinition, type HostPaths, procPath, readRequired } from '../collector.ts';
import { FamilyBuilder, type MetricFamily, type MetricType } from '../metrics.ts';
import { type ProcStat, type ProcStatCounters, parseProcStat } from '../parsers/proc-stat.ts';

const statReads = new Map<string, Promise<ProcStat>>();

/**
 * /proc/stat, parsed. The cpu and stat collectors both need it in every scrape; while one read is in
 * flight the other collector joins it, so a scrape reads and parses the file once, not twice. Nothing
 * is kept after the read settles, so no scrape ever sees an older one's values.
 */
export function readProcStat(paths: HostPaths): Promise<ProcStat> {
  const file = procPath(paths, 'stat');
  let pending = statReads.get(file);
  if (!pending) {
    pending = readRequired(file)
      .then(parseProcStat)
      .finally(() => statReads.delete(file));
    statReads.set(file, pending);
  }
  return pending;
}

const FAMILIES: ReadonlyArray<{
  field: keyof ProcStatCounters;
  name: string;
  type: MetricType;
  help: string;
}> = [
  { field: 'bootTime', name: 'node_boot_time_seconds', type: 'gauge', help: 'Node boot time, in unixtime.' },
  {
    field: 'contextSwitches',
    name: 'node_context_switches_total',
    type: 'counter',
    help: 'Total number of context switches.',
  },
  { field: 'forks', name: 'node_forks_total', type: 'counter', help: 'Total number of forks.' },
  {
    field: 'interrupts',
    name: 'node_intr_total',
    type: 'counter',
    help: 'Total number of interrupts serviced.',
  },
  {
    field: 'procsRunning',
    name: 'node_procs_running',
    type: 'gauge',
    help: 'Number of processes in runnable state.',
  },
  {
    field: 'procsBlocked',
    name: 'node_procs_blocked',
    type: 'gauge',
    help: 'Number of processes blocked waiting for I/O to complete.',
  },
];

/** The single-number families of /proc/stat; shared with the SSH probe (collector/probe). */
export function statFamilies(stat: Readonly<ProcStatCounters>): MetricFamily[] {
  const families = new FamilyBuilder();
  for (const { field, name, type, help } of FAMILIES) {
    const value = stat[field];
    // 2.4 kernels print no procs_running/procs_blocked: leave the series out rather than report 0.
    if (value !== undefined) families.add(name, help, type, value);
  }
  return families.build();
}

export const statCollector: CollectorDefinition = {
  name: 'stat',
  description:
    'Boot time, context switches, forks, interrupts and runnable/blocked processes from /proc/stat, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths }) => ({
    async collect() {
      return statFamilies(await readProcStat(paths));
    },
  }),
};
