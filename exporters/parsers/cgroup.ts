/**
 * cgroup interface files, v1 and v2: the workloads collector reads one cgroup's usage through these.
 * Every parser takes the file's path as `file`, only to name it in errors: with hundreds of cgroups read
 * per scrape, "expected an unsigned integer" alone would not say which one is damaged.
 */
import { parseUnsigned } from './proc-stat.ts';

/**
 * Parses a flat-keyed file, one "key value" line each: cpu.stat and memory.stat (v1 and v2),
 * cpuacct.stat, memory.events, pids.events. Every value must be an unsigned integer; a line that is not
 * "key value" throws rather than being skipped, so a damaged file never passes for a shorter one.
 */
export function parseFlatKeyed(text: string, file: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    if (space <= 0) throw new Error(`${file}: expected "key value", got "${line}"`);
    const key = line.slice(0, space);
    values.set(key, parseUnsigned(line.slice(space + 1), `${file} ${key}`));
  }
  return values;
}

/**
 * One key of a flat-keyed file, or undefined when the file has no such line. For memory.stat, of whose
 * 40 to 60 lines a reader needs one: finding it costs a fraction of splitting and parsing them all.
 * The key must start a line, so `inactive_file` does not match v1's `total_inactive_file`.
 */
export function flatKeyedValue(text: string, key: string, file: string): number | undefined {
  const needle = `${key} `;
  let start: number;
  if (text.startsWith(needle)) {
    start = needle.length;
  } else {
    const at = text.indexOf(`\n${needle}`);
    if (at < 0) return undefined;
    start = at + 1 + needle.length;
  }
  const end = text.indexOf('\n', start);
  return parseUnsigned(text.slice(start, end < 0 ? undefined : end), `${file} ${key}`);
}

/**
 * A file holding one unsigned integer: cpuacct.usage (nanoseconds), memory.current,
 * memory.usage_in_bytes, pids.current.
 */
export function parseSingleValue(text: string, file: string): number {
  return parseUnsigned(withoutNewline(text), file);
}

/**
 * v1 prints an unlimited memory limit as the largest page count times the page size: 9223372036854771712
 * with 4 KiB pages, a little less with 16 or 64 KiB pages. Nothing real comes near 4 EiB.
 */
const V1_UNLIMITED = 2 ** 62;

/**
 * A limit: memory.max, memory.high, pids.max (v2; "max" when unlimited), memory.limit_in_bytes (v1).
 * Unlimited is undefined, not Infinity, so it cannot leak into arithmetic or be exported as +Inf.
 */
export function parseLimit(text: string, file: string): number | undefined {
  const value = withoutNewline(text);
  if (value === 'max') return undefined;
  const limit = parseUnsigned(value, file);
  return limit >= V1_UNLIMITED ? undefined : limit;
}

/** One device's line of v2 io.stat. dbytes and dios came in Linux 5.0. */
export interface IoStatV2 {
  rbytes: number;
  wbytes: number;
  rios: number;
  wios: number;
  dbytes?: number;
  dios?: number;
}

/**
 * A device's counters. The kernel prints the six in this order, dbytes and dios together; the ids before
 * the last one are idle devices run into the same line (see parseIoStatV2).
 */
const IO_COUNTERS =
  /^(?:\d+:\d+ )*(\d+:\d+) rbytes=(\d+) wbytes=(\d+) rios=(\d+) wios=(\d+)(?: dbytes=(\d+) dios=(\d+))?(?= |$)/;
/** Device ids alone, or with a policy's own keys only (io.latency's "depth=max", io.cost's "cost.vrate=…"). */
const IO_NO_COUNTERS = /^\d+:\d+(?: \d+:\d+)*(?: \S+=\S*)* ?$/;
/** A counter's name in a line IO_COUNTERS did not match: the line is damaged, not counter-free. */
const IO_COUNTER_KEY = / [rwd](?:bytes|ios)=/;

/**
 * Parses v2 io.stat ("8:0 rbytes=512 wbytes=4096 rios=100 wios=1 dbytes=5 dios=23") into records keyed by
 * "MAJ:MIN". Keys after the counters (io.latency, io.cost, debug "use_delay=…") are ignored.
 *
 * The kernel prints a device's counters only when one of rbytes, wbytes, rios or wios is non-zero, but
 * always prints its id. From Linux 5.15 until 5.19 (and the stable releases that took the fix), it also
 * ended the line only after counters, so idle devices' ids run together and the counters belong to the
 * last id: "7:7 7:6 7:5 7:4 rbytes=556032 …" is three idle loop devices and 7:4, and a file can end in
 * ids alone. Fixed kernels print "7:7 " on a line of its own. Either way, devices without counters did
 * no reads or writes; they are left out rather than given zeros that would also claim no discards.
 *
 * One regular expression per line rather than splitting it into tokens: a sixth of the time, and this
 * runs for every cgroup on every scrape.
 */
export function parseIoStatV2(text: string, file: string): Map<string, IoStatV2> {
  const devices = new Map<string, IoStatV2>();
  for (const line of text.split('\n')) {
    const m = IO_COUNTERS.exec(line);
    if (m) {
      const stat: IoStatV2 = {
        rbytes: Number(m[2]),
        wbytes: Number(m[3]),
        rios: Number(m[4]),
        wios: Number(m[5]),
      };
      if (m[6] !== undefined) {
        stat.dbytes = Number(m[6]);
        stat.dios = Number(m[7]);
      }
      devices.set(m[1] as string, stat);
    } else if (line !== '' && (!IO_NO_COUNTERS.test(line) || IO_COUNTER_KEY.test(line))) {
      throw new Error(`${file}: expected "MAJ:MIN rbytes=N wbytes=N rios=N wios=N …", got "${line}"`);
    }
  }
  return devices;
}

const DEVICE = /^\d+:\d+$/;

/** Bytes (io_service_bytes) or requests (io_serviced) of one device in v1 blkio. */
export interface BlkioV1 {
  read: number;
  write: number;
}

/**
 * Parses v1 blkio.throttle.io_service_bytes or blkio.throttle.io_serviced: "MAJ:MIN Read N" and Write,
 * Sync, Async, Discard and Total lines per device, then a grand "Total N". Only Read and Write are kept
 * (the others are sums of them or, for Discard, not a transfer), but every value is checked.
 */
export function parseBlkioV1(text: string, file: string): Map<string, BlkioV1> {
  const seen = new Map<string, Partial<BlkioV1>>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    if (fields.length === 2 && fields[0] === 'Total') {
      parseUnsigned(fields[1], `${file} Total`);
      continue;
    }
    const [device, op, count] = fields;
    if (fields.length !== 3 || device === undefined || !DEVICE.test(device)) {
      throw new Error(`${file}: expected "MAJ:MIN Operation count", got "${line}"`);
    }
    const value = parseUnsigned(count, `${file} ${device} ${op}`);
    let record = seen.get(device);
    if (!record) {
      record = {};
      seen.set(device, record);
    }
    if (op === 'Read') record.read = value;
    else if (op === 'Write') record.write = value;
  }
  const devices = new Map<string, BlkioV1>();
  for (const [device, { read, write }] of seen) {
    if (read === undefined || write === undefined) {
      throw new Error(`${file}: ${device} has no ${read === undefined ? 'Read' : 'Write'} line`);
    }
    devices.set(device, { read, write });
  }
  return devices;
}

/** Where /proc/<pid>/cgroup puts a process. */
export interface ProcCgroup {
  /** The v2 (unified) path, from the "0::" line; absent on a v1-only system. */
  v2Path?: string;
  /** v1 path per controller ("cpu", "cpuacct", "memory", named hierarchies as "name=systemd"). */
  v1: Map<string, string>;
}

/**
 * Parses /proc/<pid>/cgroup: "hierarchy-ID:controller-list:path" lines, "0::path" for v2, one line per
 * v1 hierarchy with its comma-separated controllers ("4:cpu,cpuacct:/kubepods/…").
 *
 * Paths are kept as printed. They are relative to the reader's cgroup namespace root, so a process
 * outside the agent's namespace (an agent in a container with its own namespace, reading the host's
 * /proc) shows as "0::/../../user-1000.slice/session-520.scope": up from the namespace root, then down.
 * Only the caller can know where that root lies in the tree it walks, so none of that is resolved here.
 */
export function parseProcCgroup(text: string, file: string): ProcCgroup {
  const result: ProcCgroup = { v1: new Map() };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    // The path itself may contain colons, so it is everything after the second one.
    const cgroupPath = line.slice(second + 1);
    if (first < 0 || second < 0 || !cgroupPath.startsWith('/')) {
      throw new Error(`${file}: expected "hierarchy-ID:controllers:/path", got "${line}"`);
    }
    const id = parseUnsigned(line.slice(0, first), `${file} hierarchy ID`);
    const controllers = line.slice(first + 1, second);
    if (id === 0) {
      result.v2Path = cgroupPath;
    } else {
      for (const controller of controllers.split(',')) result.v1.set(controller, cgroupPath);
    }
  }
  return result;
}

function withoutNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
