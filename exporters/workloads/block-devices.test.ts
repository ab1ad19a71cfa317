import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFixture, tempTree } from '../../test/support/fixtures.ts';
import { parseIoStatV2 } from '../parsers/cgroup.ts';
import { sumOverDisks, sysfsLowerDevices } from './block-devices.ts';

describe('sumOverDisks', () => {
  // The captured system.slice io.stat lists 253:0 (device-mapper's usual major) with nearly the bytes of
  // 8:0 (the first SCSI disk): a volume on that disk, each write charged to both.
  const captured = parseIoStatV2(readFixture('cgroup/v2_system.slice/io.stat'), 'io.stat');
  const devices = new Map([...captured].map(([d, io]) => [d, { read: io.rbytes, write: io.wbytes }]));

  it('counts a volume and the disk under it once, by the disk', () => {
    expect(sumOverDisks(devices, (d) => (d === '253:0' ? ['8:0'] : []))).toEqual({
      read: 4096 + 14598439936, // 252:0 + 8:0
      write: 4096 + 613809529856,
    });
  });

  it('counts every device when none is built on another listed one', () => {
    expect(sumOverDisks(devices, () => [])).toEqual({
      read: 4096 + 14598439936 + 14590931456,
      write: 4096 + 613809529856 + 613804409344,
    });
    // A volume whose disks this cgroup never touched directly is still counted, by the volume.
    expect(sumOverDisks(devices, (d) => (d === '253:0' ? ['8:16'] : [])).read).toBe(
      4096 + 14598439936 + 14590931456,
    );
  });
});

describe('sysfsLowerDevices', () => {
  it('maps a volume to the major:minor of the disks in its slaves directory', async () => {
    const sysfs = await tempTree('block', {
      'class/block/sda/dev': '8:0\n',
      'class/block/sdb/dev': '8:16\n',
    });
    for (const disk of ['sda', 'sdb'])
      mkdirSync(path.join(sysfs, 'dev/block/9:0/slaves', disk), { recursive: true });
    mkdirSync(path.join(sysfs, 'dev/block/8:0/slaves'), { recursive: true });
    const lowerOf = sysfsLowerDevices(sysfs);
    expect([...lowerOf('9:0')].sort()).toEqual(['8:0', '8:16']);
    expect(lowerOf('8:0')).toEqual([]);
    expect(lowerOf('259:0')).toEqual([]); // not in sysfs at all
  });

  it('keeps what it read for ten minutes', async () => {
    const sysfs = await tempTree('block-cache', { 'class/block/sda/dev': '8:0\n' });
    let now = 0;
    const lowerOf = sysfsLowerDevices(sysfs, () => now);
    expect(lowerOf('253:0')).toEqual([]);
    mkdirSync(path.join(sysfs, 'dev/block/253:0/slaves/sda'), { recursive: true });
    now = 9 * 60_000;
    expect(lowerOf('253:0')).toEqual([]);
    now = 10 * 60_000;
    expect(lowerOf('253:0')).toEqual(['8:0']);
  });

  it("reads this machine's /sys: every block device resolves, plain disks to nothing", () => {
    const lowerOf = sysfsLowerDevices('/sys');
    const all = readdirSync('/sys/dev/block');
    for (const device of all) for (const lower of lowerOf(device)) expect(all).toContain(lower);
  });
});
