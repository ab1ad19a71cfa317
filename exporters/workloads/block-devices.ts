import { readdirSync } from 'node:fs';
import { readOptionalSync } from '../collector.ts';

/** The devices a block device is built on ("major:minor" → theirs), as sysfs shows them. */
export type LowerDevices = (device: string) => readonly string[];

/**
 * Bytes read and written, summed over the devices of one io.stat or blkio file, counting each byte
 * once. A cgroup's I/O through device-mapper (LVM, dm-crypt) or md RAID is charged twice: to the volume
 * it wrote to and again to the disks the kernel passed the bios on to. So a device is left out when a
 * device it is built on is also listed: the disks' bytes are what reached hardware, and they include
 * the cgroup's direct I/O to those disks besides.
 */
export function sumOverDisks(
  devices: ReadonlyMap<string, { read: number; write: number }>,
  lowerOf: LowerDevices,
): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const [device, io] of devices) {
    if (lowerOf(device).some((lower) => devices.has(lower))) continue;
    read += io.read;
    write += io.write;
  }
  return { read, write };
}

/** How long a device's stacking is trusted: volumes are made and removed rarely. */
const KEEP_MS = 10 * 60_000;

/**
 * Reads /sys/dev/block/<major:minor>/slaves under --path.sysfs: the names of the lower devices, each
 * mapped back to its major:minor through /sys/class/block/<name>/dev. Kept for ten minutes per device.
 */
export function sysfsLowerDevices(sysfs: string, now: () => number = Date.now): LowerDevices {
  const known = new Map<string, { lower: readonly string[]; at: number }>();
  return (device) => {
    const hit = known.get(device);
    if (hit && now() - hit.at < KEEP_MS) return hit.lower;
    let names: string[] = [];
    try {
      names = readdirSync(`${sysfs}/dev/block/${device}/slaves`);
    } catch {
      // No such device in sysfs, or no slaves directory (a plain disk): built on nothing.
    }
    const lower = names.flatMap((name) => {
      const dev = readOptionalSync(`${sysfs}/class/block/${name}/dev`)?.trim();
      return dev ? [dev] : [];
    });
    known.set(device, { lower, at: now() });
    return lower;
  };
}
