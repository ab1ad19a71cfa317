/**
 * One cgroup's usage counters, read from its interface files. The workloads collector calls this for
 * every workload cgroup on every scrape (up to 500 on a Raspberry Pi every 15 s), so each reader opens
 * only the files behind the fields it returns and scans memory.stat for its one key.
 */
import { readOptional } from '../collector.ts';
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

/** A field is absent when its file is (controller not enabled or not compiled in): unknown is not 0. */
/**
 * Reads a file, undefined when missing. The files read on every scrape (CPU and memory usage) go through
 * the caller's reader, which may keep them open (workloads/held-files.ts); the rest use readOptional.
 */
export type FileReader = (file: string) => Promise<string | undefined>;

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
  /** Summed over devices. */
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
export async function readCgroupV2(
  dir: string,
  full = true,
  hot: FileReader = readOptional,
): Promise<CgroupUsage> {
  const usage: CgroupUsage = {};

  const cpuStatFile = `${dir}/cpu.stat`;
  const cpuStat = await hot(cpuStatFile);
  if (cpuStat !== undefined) {
    const stat = parseFlatKeyed(cpuStat, cpuStatFile);
    set(usage, 'cpuSeconds', divided(stat.get('usage_usec'), 1e6));
    set(usage, 'cpuUserSeconds', divided(stat.get('user_usec'), 1e6));
    set(usage, 'cpuSystemSeconds', divided(stat.get('system_usec'), 1e6));
    // Only with the cpu controller enabled; the three above are always there.
    set(usage, 'throttledPeriods', stat.get('nr_throttled'));
    set(usage, 'throttledSeconds', divided(stat.get('throttled_usec'), 1e6));
  }

  if (!full) {
    set(usage, 'memoryBytes', await readValue(`${dir}/memory.current`, hot));
    return usage;
  }
  await readMemory(
    usage,
    `${dir}/memory.current`,
    `${dir}/memory.stat`,
    'inactive_file',
    `${dir}/memory.max`,
    hot,
  );

  const ioStatFile = `${dir}/io.stat`;
  const ioStat = await readOptional(ioStatFile);
  if (ioStat !== undefined) {
    let read = 0;
    let written = 0;
    for (const device of parseIoStatV2(ioStat, ioStatFile).values()) {
      read += device.rbytes;
      written += device.wbytes;
    }
    usage.ioReadBytes = read;
    usage.ioWriteBytes = written;
  }

  set(usage, 'pids', await readValue(`${dir}/pids.current`));

  // The PSI files come and go together (CONFIG_PSI, psi=0, cgroup.pressure) and a failed open costs twice
  // a read, so without cpu's the others are not tried: Raspberry Pi kernels have PSI off by default.
  const cpu = await readPressure(`${dir}/cpu.pressure`, 'cpu');
  if (cpu) {
    usage.pressure = { cpu };
    const io = await readPressure(`${dir}/io.pressure`, 'io');
    if (io) usage.pressure.io = io;
    const memory = await readPressure(`${dir}/memory.pressure`, 'memory');
    if (memory) usage.pressure.memory = memory;
  }

  return usage;
}

/**
 * Reads the v1 controllers of one cgroup: cpuacct.{usage,stat}, cpu.stat, memory.{usage_in_bytes,stat,
 * limit_in_bytes}, blkio.throttle.io_service_bytes and pids.current. v1 has no per-cgroup pressure.
 */
/** `full` as for readCgroupV2: false reads only cpuacct.usage and memory.usage_in_bytes. */
export async function readCgroupV1(
  dirs: CgroupV1Dirs,
  full = true,
  hot: FileReader = readOptional,
): Promise<CgroupUsage> {
  const usage: CgroupUsage = {};

  if (dirs.cpuacct !== undefined) {
    set(usage, 'cpuSeconds', divided(await readValue(`${dirs.cpuacct}/cpuacct.usage`, hot), 1e9));
  }
  if (!full) {
    if (dirs.memory !== undefined)
      set(usage, 'memoryBytes', await readValue(`${dirs.memory}/memory.usage_in_bytes`, hot));
    return usage;
  }

  if (dirs.cpuacct !== undefined) {
    const ticksFile = `${dirs.cpuacct}/cpuacct.stat`;
    const ticks = await readOptional(ticksFile);
    if (ticks !== undefined) {
      const stat = parseFlatKeyed(ticks, ticksFile);
      set(usage, 'cpuUserSeconds', divided(stat.get('user'), USER_HZ));
      set(usage, 'cpuSystemSeconds', divided(stat.get('system'), USER_HZ));
    }
  }

  if (dirs.cpu !== undefined) {
    const cpuStatFile = `${dirs.cpu}/cpu.stat`;
    // Absent without CONFIG_CFS_BANDWIDTH.
    const cpuStat = await readOptional(cpuStatFile);
    if (cpuStat !== undefined) {
      const stat = parseFlatKeyed(cpuStat, cpuStatFile);
      set(usage, 'throttledPeriods', stat.get('nr_throttled'));
      set(usage, 'throttledSeconds', divided(stat.get('throttled_time'), 1e9));
    }
  }

  if (dirs.memory !== undefined) {
    const dir = dirs.memory;
    // total_inactive_file covers the children too, as usage_in_bytes does; inactive_file would not.
    await readMemory(
      usage,
      `${dir}/memory.usage_in_bytes`,
      `${dir}/memory.stat`,
      'total_inactive_file',
      `${dir}/memory.limit_in_bytes`,
      hot,
    );
  }

  if (dirs.blkio !== undefined) {
    const file = `${dirs.blkio}/blkio.throttle.io_service_bytes`;
    const text = await readOptional(file);
    if (text !== undefined) {
      let read = 0;
      let written = 0;
      for (const device of parseBlkioV1(text, file).values()) {
        read += device.read;
        written += device.write;
      }
      usage.ioReadBytes = read;
      usage.ioWriteBytes = written;
    }
  }

  if (dirs.pids !== undefined) set(usage, 'pids', await readValue(`${dirs.pids}/pids.current`));

  return usage;
}

/** Usage, working set and limit; memory.stat and the limit are not opened when usage is missing. */
async function readMemory(
  usage: CgroupUsage,
  usageFile: string,
  statFile: string,
  inactiveFileKey: string,
  limitFile: string,
  hot: FileReader,
): Promise<void> {
  const bytes = await readValue(usageFile, hot);
  if (bytes === undefined) return;
  usage.memoryBytes = bytes;
  const stat = await readOptional(statFile);
  const inactiveFile = stat === undefined ? undefined : flatKeyedValue(stat, inactiveFileKey, statFile);
  if (inactiveFile !== undefined) usage.workingSetBytes = Math.max(0, bytes - inactiveFile);
  const limit = await readOptional(limitFile);
  if (limit !== undefined) set(usage, 'memoryLimitBytes', parseLimit(limit, limitFile));
}

async function readValue(file: string, read: FileReader = readOptional): Promise<number | undefined> {
  const text = await read(file);
  return text === undefined ? undefined : parseSingleValue(text, file);
}

async function readPressure(file: string, resource: string): Promise<PressureTotals | undefined> {
  let text: string | undefined;
  try {
    text = await readOptional(file);
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
