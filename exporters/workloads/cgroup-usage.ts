/**
 * One cgroup's usage counters, read from its interface files. The workloads collector calls this for
 * every workload cgroup on every scrape (up to 500 on a Raspberry Pi every 15 s), so each reader opens
 * only the files behind the fields it returns and scans memory.stat for its one key.
 */
import { readOptionalSync } from '../collector.ts';
import {
  flatKeyedValue,
  parseBlkioV1,
  parseFlatKeyed,
  parseIoStatV2,
  parseLimit,
  parseSingleValue,
} from '../parsers/cgroup.ts';
import { type PressureTotals, parsePressure } from '../parsers/pressure.ts';
import { USER_HZ } from '../parsers/proc-stat.ts';
import { type LowerDevices, sumOverDisks } from './block-devices.ts';

/** Reads a file, undefined when missing. */
export type FileReader = (file: string) => string | undefined;

/**
 * `hot` reads the files read on every scrape (CPU and memory usage), `cold` the rest; the workloads
 * collector keeps the hot ones open (workloads/held-files.ts). `lowerDevices` tells which block devices
 * sit on which, so I/O through LVM or RAID is not counted twice (workloads/block-devices.ts).
 */
export interface CgroupFileReaders {
  hot: FileReader;
  cold: FileReader;
  lowerDevices: LowerDevices;
}

const DIRECT: CgroupFileReaders = { hot: readOptionalSync, cold: readOptionalSync, lowerDevices: () => [] };

/** A field is absent when its file is (controller not enabled or not compiled in): unknown is not 0. */
export interface CgroupUsage {
  cpuSeconds?: number;
  cpuUserSeconds?: number;
  cpuSystemSeconds?: number;
  throttledPeriods?: number;
  throttledSeconds?: number;
  /** v2 memory.current, v1 memory.usage_in_bytes: page cache included. */
  memoryBytes?: number;
  /** As kubelet and cAdvisor: usage less inactive file cache, floored at 0. */
  workingSetBytes?: number;
  /** Absent when unlimited. */
  memoryLimitBytes?: number;
  /** Summed over devices, each byte once (block-devices.ts). */
  ioReadBytes?: number;
  ioWriteBytes?: number;
  pids?: number;
  pressure?: { cpu?: PressureTotals; io?: PressureTotals; memory?: PressureTotals };
}

/** The v1 controller directories of one cgroup; where cpu and cpuacct are mounted together, the same one. */
export interface CgroupV1Dirs {
  cpuacct?: string;
  cpu?: string;
  memory?: string;
  blkio?: string;
  pids?: string;
}

/** Reads a cgroup v2 directory: cpu.stat, memory.{current,stat,max}, io.stat, pids.current, *.pressure. */
/**
 * `full` false reads only the two files every scrape needs (CPU usage and memory usage: about 12 µs on
 * cgroupfs, where all nine cost about 55 µs); the workloads collector reads the rest on a slower round.
 */
export function readCgroupV2(dir: string, full = true, files: CgroupFileReaders = DIRECT): CgroupUsage {
  const { hot, cold } = files;
  const usage: CgroupUsage = {};

  const cpuStatFile = `${dir}/cpu.stat`;
  const cpuStat = hot(cpuStatFile);
  if (cpuStat !== undefined) {
    // Five keys looked up rather than a map of all (nine or more on newer kernels): read every scrape.
    const value = (key: string) => flatKeyedValue(cpuStat, key, cpuStatFile);
    set(usage, 'cpuSeconds', divided(value('usage_usec'), 1e6));
    set(usage, 'cpuUserSeconds', divided(value('user_usec'), 1e6));
    set(usage, 'cpuSystemSeconds', divided(value('system_usec'), 1e6));
    // Only with the cpu controller enabled; the three above are always there.
    set(usage, 'throttledPeriods', value('nr_throttled'));
    set(usage, 'throttledSeconds', divided(value('throttled_usec'), 1e6));
  }

  if (!full) {
    set(usage, 'memoryBytes', readValue(`${dir}/memory.current`, hot));
    return usage;
  }
  readMemory(
    usage,
    `${dir}/memory.current`,
    `${dir}/memory.stat`,
    'inactive_file',
    `${dir}/memory.max`,
    files,
  );

  const ioStatFile = `${dir}/io.stat`;
  const ioStat = cold(ioStatFile);
  if (ioStat !== undefined) {
    const devices = new Map<string, { read: number; write: number }>();
    for (const [device, io] of parseIoStatV2(ioStat, ioStatFile))
      devices.set(device, { read: io.rbytes, write: io.wbytes });
    const { read, write } = sumOverDisks(devices, files.lowerDevices);
    usage.ioReadBytes = read;
    usage.ioWriteBytes = write;
  }

  set(usage, 'pids', readValue(`${dir}/pids.current`, cold));

  // The PSI files come and go together (CONFIG_PSI, psi=0, cgroup.pressure) and a failed open costs twice
  // a read, so without cpu's the others are not tried: Raspberry Pi kernels have PSI off by default.
  const cpu = readPressure(`${dir}/cpu.pressure`, 'cpu', cold);
  if (cpu) {
    usage.pressure = { cpu };
    const io = readPressure(`${dir}/io.pressure`, 'io', cold);
    if (io) usage.pressure.io = io;
    const memory = readPressure(`${dir}/memory.pressure`, 'memory', cold);
    if (memory) usage.pressure.memory = memory;
  }

  return usage;
}

/**
 * Reads the v1 controllers of one cgroup: cpuacct.{usage,stat}, cpu.stat, memory.{usage_in_bytes,stat,
 * limit_in_bytes}, blkio.throttle.io_service_bytes and pids.current. v1 has no per-cgroup pressure.
 */
/** `full` as for readCgroupV2: false reads only cpuacct.usage and memory.usage_in_bytes. */
export function readCgroupV1(
  dirs: CgroupV1Dirs,
  full = true,
  files: CgroupFileReaders = DIRECT,
): CgroupUsage {
  const { hot, cold } = files;
  const usage: CgroupUsage = {};

  if (dirs.cpuacct !== undefined) {
    set(usage, 'cpuSeconds', divided(readValue(`${dirs.cpuacct}/cpuacct.usage`, hot), 1e9));
  }
  if (!full) {
    if (dirs.memory !== undefined)
      set(usage, 'memoryBytes', readValue(`${dirs.memory}/memory.usage_in_bytes`, hot));
    return usage;
  }

  if (dirs.cpuacct !== undefined) {
    const ticksFile = `${dirs.cpuacct}/cpuacct.stat`;
    const ticks = cold(ticksFile);
    if (ticks !== undefined) {
      const stat = parseFlatKeyed(ticks, ticksFile);
      set(usage, 'cpuUserSeconds', divided(stat.get('user'), USER_HZ));
      set(usage, 'cpuSystemSeconds', divided(stat.get('system'), USER_HZ));
    }
  }

  if (dirs.cpu !== undefined) {
    const cpuStatFile = `${dirs.cpu}/cpu.stat`;
    // Absent without CONFIG_CFS_BANDWIDTH.
    const cpuStat = cold(cpuStatFile);
    if (cpuStat !== undefined) {
      const stat = parseFlatKeyed(cpuStat, cpuStatFile);
      set(usage, 'throttledPeriods', stat.get('nr_throttled'));
      set(usage, 'throttledSeconds', divided(stat.get('throttled_time'), 1e9));
    }
  }

  if (dirs.memory !== undefined) {
    const dir = dirs.memory;
    // total_inactive_file covers the children too, as usage_in_bytes does; inactive_file would not.
    readMemory(
      usage,
      `${dir}/memory.usage_in_bytes`,
      `${dir}/memory.stat`,
      'total_inactive_file',
      `${dir}/memory.limit_in_bytes`,
      files,
    );
  }

  if (dirs.blkio !== undefined) {
    const file = `${dirs.blkio}/blkio.throttle.io_service_bytes`;
    const text = cold(file);
    if (text !== undefined) {
      const { read, write } = sumOverDisks(parseBlkioV1(text, file), files.lowerDevices);
      usage.ioReadBytes = read;
      usage.ioWriteBytes = write;
    }
  }

  if (dirs.pids !== undefined) set(usage, 'pids', readValue(`${dirs.pids}/pids.current`, cold));

  return usage;
}

/** Usage, working set and limit; memory.stat and the limit are not opened when usage is missing. */
function readMemory(
  usage: CgroupUsage,
  usageFile: string,
  statFile: string,
  inactiveFileKey: string,
  limitFile: string,
  { hot, cold }: CgroupFileReaders,
): void {
  const bytes = readValue(usageFile, hot);
  if (bytes === undefined) return;
  usage.memoryBytes = bytes;
  const stat = cold(statFile);
  const inactiveFile = stat === undefined ? undefined : flatKeyedValue(stat, inactiveFileKey, statFile);
  if (inactiveFile !== undefined) usage.workingSetBytes = Math.max(0, bytes - inactiveFile);
  const limit = cold(limitFile);
  if (limit !== undefined) set(usage, 'memoryLimitBytes', parseLimit(limit, limitFile));
}

function readValue(file: string, read: FileReader): number | undefined {
  const text = read(file);
  return text === undefined ? undefined : parseSingleValue(text, file);
}

function readPressure(file: string, resource: string, read: FileReader): PressureTotals | undefined {
  let text: string | undefined;
  try {
    text = read(file);
  } catch (err) {
    // Before Linux 6.1 the files exist even with PSI off (Raspberry Pi kernels: CONFIG_PSI_DEFAULT_DISABLED)
    // and reading them fails with EOPNOTSUPP (Node: ENOTSUP): no pressure, as on a kernel without PSI.
    if ((err as NodeJS.ErrnoException).code === 'ENOTSUP') return undefined;
    throw err;
  }
  return text === undefined ? undefined : parsePressure(text, resource);
}

function divided(value: number | undefined, divisor: number): number | undefined {
  return value === undefined ? undefined : value / divisor;
}

/** Leaves the field absent, not present as undefined, so "no data" reads the same everywhere. */
function set<K extends keyof CgroupUsage>(
  usage: CgroupUsage,
  key: K,
  value: CgroupUsage[K] | undefined,
): void {
  if (value !== undefined) usage[key] = value;
}
