import { type CollectorDefinition, procPath, readRequired } from '../collector.ts';
import { FamilyBuilder, type MetricFamily, type MetricType } from '../metrics.ts';
import { type DiskStats, parseDiskstats } from '../parsers/diskstats.ts';

/** node_exporter's default: partitions of common disks, RAM disks, loop devices and floppies. */
const DEVICE_EXCLUDE = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;

// node_exporter multiplies by these rather than dividing, so its float output matches ours digit for digit.
const SECONDS_PER_MS = 0.001;
const SECTOR_BYTES = 512;

interface DiskFamily {
  name: string;
  help: string;
  type: MetricType;
  value(d: DiskStats): number | undefined;
}

/** node_exporter 1.x names and help texts. */
const FAMILIES: DiskFamily[] = [
  {
    name: 'node_disk_reads_completed_total',
    help: 'The total number of reads completed successfully.',
    type: 'counter',
    value: (d) => d.readsCompleted,
  },
  {
    name: 'node_disk_reads_merged_total',
    help: 'The total number of reads merged.',
    type: 'counter',
    value: (d) => d.readsMerged,
  },
  {
    name: 'node_disk_read_bytes_total',
    help: 'The total number of bytes read successfully.',
    type: 'counter',
    value: (d) => d.sectorsRead * SECTOR_BYTES,
  },
  {
    name: 'node_disk_read_time_seconds_total',
    help: 'The total number of seconds spent by all reads.',
    type: 'counter',
    value: (d) => d.readTimeMs * SECONDS_PER_MS,
  },
  {
    name: 'node_disk_writes_completed_total',
    help: 'The total number of writes completed successfully.',
    type: 'counter',
    value: (d) => d.writesCompleted,
  },
  {
    name: 'node_disk_writes_merged_total',
    help: 'The number of writes merged.',
    type: 'counter',
    value: (d) => d.writesMerged,
  },
  {
    name: 'node_disk_written_bytes_total',
    help: 'The total number of bytes written successfully.',
    type: 'counter',
    value: (d) => d.sectorsWritten * SECTOR_BYTES,
  },
  {
    name: 'node_disk_write_time_seconds_total',
    help: 'This is the total number of seconds spent by all writes.',
    type: 'counter',
    value: (d) => d.writeTimeMs * SECONDS_PER_MS,
  },
  {
    name: 'node_disk_io_now',
    help: 'The number of I/Os currently in progress.',
    type: 'gauge',
    value: (d) => d.ioInProgress,
  },
  {
    name: 'node_disk_io_time_seconds_total',
    help: 'Total seconds spent doing I/Os.',
    type: 'counter',
    value: (d) => d.ioTimeMs * SECONDS_PER_MS,
  },
  {
    name: 'node_disk_io_time_weighted_seconds_total',
    help: 'The weighted # of seconds spent doing I/Os.',
    type: 'counter',
    value: (d) => d.weightedIoTimeMs * SECONDS_PER_MS,
  },
  {
    name: 'node_disk_discards_completed_total',
    help: 'The total number of discards completed successfully.',
    type: 'counter',
    value: (d) => d.discards?.completed,
  },
  {
    name: 'node_disk_discards_merged_total',
    help: 'The total number of discards merged.',
    type: 'counter',
    value: (d) => d.discards?.merged,
  },
  {
    name: 'node_disk_discarded_sectors_total',
    help: 'The total number of sectors discarded successfully.',
    type: 'counter',
    value: (d) => d.discards?.sectors,
  },
  {
    name: 'node_disk_discard_time_seconds_total',
    help: 'This is the total number of seconds spent by all discards.',
    type: 'counter',
    value: (d) => (d.discards ? d.discards.timeMs * SECONDS_PER_MS : undefined),
  },
  {
    name: 'node_disk_flush_requests_total',
    help: 'The total number of flush requests completed successfully',
    type: 'counter',
    value: (d) => d.flushes?.completed,
  },
  {
    name: 'node_disk_flush_requests_time_seconds_total',
    help: 'This is the total number of seconds spent by all flush requests.',
    type: 'counter',
    value: (d) => (d.flushes ? d.flushes.timeMs * SECONDS_PER_MS : undefined),
  },
];

/**
 * The node_disk_* families of the disks node_exporter's default keeps. Shared with the SSH probe, which
 * also feeds it the counters of a 2.4 kernel's /proc/partitions.
 */
export function diskstatsFamilies(disks: readonly DiskStats[]): MetricFamily[] {
  const b = new FamilyBuilder();
  for (const disk of disks) {
    if (DEVICE_EXCLUDE.test(disk.device)) continue;
    const labels = { device: disk.device };
    for (const f of FAMILIES) {
      const value = f.value(disk);
      if (value !== undefined) b.add(f.name, f.help, f.type, value, labels);
    }
  }
  return b.build();
}

export const diskstatsCollector: CollectorDefinition = {
  name: 'diskstats',
  description: 'block device I/O counters from /proc/diskstats (node_disk_*)',
  defaultEnabled: true,
  create: ({ paths }) => {
    const file = procPath(paths, 'diskstats');
    return {
      async collect() {
        return diskstatsFamilies(parseDiskstats(await readRequired(file)));
      },
    };
  },
};
