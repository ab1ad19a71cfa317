import type { Logger } from 'pino';
import type { Collector, CollectorDefinition, HostPaths } from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { CPU_MODES, type CpuMode, type CpuTimes } from '../parsers/proc-stat.ts';
import { readProcStat } from './stat.ts';

const SECONDS_HELP = 'Seconds the CPUs spent in each mode.';
const GUEST_HELP = 'Seconds the CPUs spent in guests (VMs) for each mode.';

/**
 * guest and guest_nice are already counted in user and nice, so node_exporter exports them apart
 * (node_cpu_guest_seconds_total, as the mode they are part of) and subtracts nothing; so do we.
 */
const GUEST_MODES: ReadonlyArray<[CpuMode, string]> = [
  ['guest', 'user'],
  ['guest_nice', 'nice'],
];
const SECONDS_MODES: readonly CpuMode[] = CPU_MODES.filter(
  (mode) => !GUEST_MODES.some(([guest]) => guest === mode),
);

/**
 * node_cpu_seconds_total and node_cpu_guest_seconds_total for the per-CPU times of /proc/stat. Pure, so
 * the SSH probe (collector/probe) builds the same series from a target's /proc/stat.
 */
export function cpuFamilies(cpus: ReadonlyMap<string, Readonly<CpuTimes>>): MetricFamily[] {
  const families = new FamilyBuilder();
  for (const [cpu, times] of cpus) {
    for (const mode of SECONDS_MODES) {
      const value = times[mode];
      if (value !== undefined) families.counter('node_cpu_seconds_total', SECONDS_HELP, value, { cpu, mode });
    }
    for (const [field, mode] of GUEST_MODES) {
      const value = times[field];
      if (value !== undefined)
        families.counter('node_cpu_guest_seconds_total', GUEST_HELP, value, { cpu, mode });
    }
  }
  return families.build();
}

/** An idle count this far below the last one means the CPU was unplugged and came back (node_exporter's rule). */
const HOTPLUG_JUMP_BACK_SECONDS = 3;

class CpuCollector implements Collector {
  /** What was last exported per CPU; see `monotonic`. Offline CPUs drop out. */
  private exported = new Map<string, Readonly<CpuTimes>>();

  constructor(
    private readonly paths: HostPaths,
    private readonly log: Logger,
  ) {}

  async collect(): Promise<MetricFamily[]> {
    const stat = await readProcStat(this.paths);
    const exported = new Map<string, Readonly<CpuTimes>>();
    for (const [cpu, read] of stat.cpus) exported.set(cpu, this.monotonic(cpu, read));
    this.exported = exported;
    return cpuFamilies(exported);
  }

  /**
   * iowait (and on some kernels idle) can run backwards, which rate() would read as a counter reset
   * and turn into a huge spike. Like node_exporter, hold each mode at its last exported value until
   * the kernel's count passes it again, unless idle fell so far that the CPU must have been re-plugged.
   */
  private monotonic(cpu: string, read: Readonly<CpuTimes>): Readonly<CpuTimes> {
    const last = this.exported.get(cpu);
    if (!last) return read;
    if ((last.idle ?? 0) - (read.idle ?? 0) >= HOTPLUG_JUMP_BACK_SECONDS) {
      this.log.debug(
        { cpu, last: last.idle, read: read.idle },
        'CPU idle count jumped back, assuming hotplug',
      );
      return read;
    }
    const times: CpuTimes = {};
    for (const mode of CPU_MODES) {
      const value = read[mode];
      if (value === undefined) continue;
      const previous = last[mode];
      times[mode] = previous !== undefined && previous > value ? previous : value;
    }
    return times;
  }
}

export const cpuCollector: CollectorDefinition = {
  name: 'cpu',
  description: 'Seconds each CPU spent in each mode, and in guests, from /proc/stat, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths, log }) => new CpuCollector(paths, log),
};
