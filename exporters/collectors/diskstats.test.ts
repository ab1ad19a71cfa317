import { describe, expect, it } from 'vitest';
import { collectFrom, fixturePath, procTrees } from '../../test/support/fixtures.ts';
import {
  expectMatchesNodeExporter,
  nodeExporterFamilyNames,
} from '../../test/support/node-exporter-golden.ts';
import { NoDataError } from '../collector.ts';
import { diskstatsCollector } from './diskstats.ts';

const procfs = procTrees.nodeExporter;

describe('diskstatsCollector', () => {
  it('matches node_exporter’s own output for the same fixture, value for value', async () => {
    const families = await collectFrom(diskstatsCollector, { procfs });
    expectMatchesNodeExporter(families);
    // node_exporter's other node_disk_* families come from udev's database (info, ata_*, filesystem_info)
    // and from sysfs (device_mapper_info); this collector reads /proc/diskstats only.
    const fromElsewhere = [
      'node_disk_ata_rotation_rate_rpm',
      'node_disk_ata_write_cache',
      'node_disk_ata_write_cache_enabled',
      'node_disk_device_mapper_info',
      'node_disk_filesystem_info',
      'node_disk_info',
    ];
    expect([...families.map((f) => f.name), ...fromElsewhere].sort()).toEqual(
      nodeExporterFamilyNames((name) => name.startsWith('node_disk_')),
    );
  });

  it('leaves out partitions, RAM and loop devices, and discard and flush families where the kernel has none', async () => {
    const families = await collectFrom(diskstatsCollector, { procfs });
    const devices = (name: string) =>
      families.find((f) => f.name === name)?.samples.map((s) => s.labels.device);
    expect(devices('node_disk_io_now')).toEqual([
      'sda',
      'dm-0',
      'dm-1',
      'dm-2',
      'dm-3',
      'dm-4',
      'dm-5',
      'mmcblk0',
      'mmcblk0p1',
      'mmcblk0p2',
      'vda',
      'sr0',
      'nvme0n1',
      'sdb',
      'sdc',
    ]);
    expect(devices('node_disk_discards_completed_total')).toEqual(['sdb', 'sdc']);
    expect(devices('node_disk_flush_requests_total')).toEqual(['sdc']);
  });

  it('reports no data where /proc/diskstats is missing', async () => {
    await expect(
      collectFrom(diskstatsCollector, { procfs: fixturePath('proc-sys/nonexistent') }),
    ).rejects.toThrow(NoDataError);
  });

  it.runIf(process.platform === 'linux')('reads this machine’s /proc', async () => {
    const families = await collectFrom(diskstatsCollector, { procfs: '/proc' });
    expect(families.every((f) => f.samples.every((s) => Number.isFinite(s.value)))).toBe(true);
  });
});
