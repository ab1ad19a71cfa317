/**
 * Per-device I/O counters as the kernel keeps them (Documentation/admin-guide/iostats.rst). Sectors are
 * always 512 bytes, whatever the device's real sector size; times are milliseconds.
 */
export interface DiskStats {
  major: number;
  minor: number;
  device: string;
  readsCompleted: number;
  readsMerged: number;
  sectorsRead: number;
  readTimeMs: number;
  writesCompleted: number;
  writesMerged: number;
  sectorsWritten: number;
  writeTimeMs: number;
  /** A gauge; buggy 2.4 accounting let it go negative on whole disks. */
  ioInProgress: number;
  ioTimeMs: number;
  weightedIoTimeMs: number;
  /** Kernel 4.18 and later. */
  discards?: { completed: number; merged: number; sectors: number; timeMs: number };
  /** Kernel 5.5 and later. */
  flushes?: { completed: number; timeMs: number };
}

/**
 * /proc/diskstats: `major minor name` then 11 counters, 15 from kernel 4.18 (discards), 17 from 5.5
 * (flushes). Kernels 2.6.0–2.6.24 printed partitions with only 4 counters (ios and sectors each way);
 * those lines are skipped, since they lack every time figure the families need.
 */
export function parseDiskstats(text: string): DiskStats[] {
  const disks: DiskStats[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '' || fields.length === 7) continue;
    disks.push(toDiskStats(fields, 2, index + 1));
  }
  return disks;
}

/**
 * /proc/partitions of a 2.4 kernel with I/O accounting (mainline from 2.4.20, vendor kernels earlier):
 * the counters of /proc/diskstats follow `major minor #blocks name`. Lines without counters (kernels
 * without accounting, and every kernel since 2.6) are skipped, as is the header.
 */
export function parsePartitions(text: string): DiskStats[] {
  const disks: DiskStats[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const fields = line.trim().split(/\s+/);
    if (fields.length <= 4 || !/^\d+$/.test(fields[0] ?? '')) continue;
    disks.push(toDiskStats(fields, 3, index + 1));
  }
  return disks;
}

function toDiskStats(fields: string[], nameAt: number, lineNo: number): DiskStats {
  const device = fields[nameAt] ?? '';
  const [major, minor] = fields.map(Number);
  const c = fields.slice(nameAt + 1).map(Number);
  if (
    c.length < 11 ||
    major === undefined ||
    minor === undefined ||
    [major, minor, ...c].some(Number.isNaN)
  ) {
    throw new Error(
      `line ${lineNo}: expected major, minor, name and 11, 15 or 17 counters: ${fields.join(' ')}`,
    );
  }
  // The length check above makes every index below 11 present.
  const at = (i: number) => c[i] as number;
  const disk: DiskStats = {
    major,
    minor,
    device,
    readsCompleted: at(0),
    readsMerged: at(1),
    sectorsRead: at(2),
    readTimeMs: at(3),
    writesCompleted: at(4),
    writesMerged: at(5),
    sectorsWritten: at(6),
    writeTimeMs: at(7),
    ioInProgress: at(8),
    ioTimeMs: at(9),
    weightedIoTimeMs: at(10),
  };
  if (c.length >= 15) disk.discards = { completed: at(11), merged: at(12), sectors: at(13), timeMs: at(14) };
  if (c.length >= 17) disk.flushes = { completed: at(15), timeMs: at(16) };
  return disk;
}
