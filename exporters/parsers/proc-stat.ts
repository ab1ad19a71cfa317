/**
 * /proc/stat: CPU time per mode, interrupts, context switches, boot time, forks, runnable and blocked
 * processes. The cpu collector and the stat collector both read it through this parser, as does the SSH
 * probe for machines that cannot run the agent.
 */

/**
 * The unit of /proc/stat CPU times. The kernel converts to USER_HZ (100 on every architecture) before
 * printing, whatever CONFIG_HZ is, so this is a constant, as in procfs and node_exporter.
 */
export const USER_HZ = 100;

/**
 * Columns of a `cpu` line in kernel order. Older kernels print a prefix of this list: 2.4 has 4 columns,
 * 2.6.0–2.6.10 have 7, steal came in 2.6.11, guest in 2.6.24, guest_nice in 2.6.33.
 */
export const CPU_MODES = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
  'guest',
  'guest_nice',
] as const;

export type CpuMode = (typeof CPU_MODES)[number];

/** Seconds spent in each mode. A mode the kernel does not report is absent: "not measured" is not 0. */
export type CpuTimes = Partial<Record<CpuMode, number>>;

/**
 * Seconds the CPUs were busy: every mode but idle and iowait. Guest time is already inside user and nice
 * (the kernel counts it in both), so it is not added again.
 */
export function busySeconds(t: CpuTimes): number {
  let busy = 0;
  for (const mode of CPU_MODES) {
    if (mode === 'idle' || mode === 'iowait' || mode === 'guest' || mode === 'guest_nice') continue;
    busy += t[mode] ?? 0;
  }
  return busy;
}

/** Busy seconds and all seconds (busy, idle, iowait): utilisation is the ratio of their increments. */
export function busyAndTotalSeconds(t: CpuTimes): { busy: number; total: number } {
  const busy = busySeconds(t);
  return { busy, total: busy + (t.idle ?? 0) + (t.iowait ?? 0) };
}

/** The single-number lines; each is absent when the kernel does not print it (2.4 has no procs_*). */
export interface ProcStatCounters {
  /** `intr`: interrupts serviced since boot, all sources. */
  interrupts?: number;
  /** `ctxt` */
  contextSwitches?: number;
  /** `btime`: boot time in seconds since the epoch. */
  bootTime?: number;
  /** `processes`: forks since boot. */
  forks?: number;
  procsRunning?: number;
  procsBlocked?: number;
}

export interface ProcStat extends ProcStatCounters {
  /** The aggregate `cpu` line. */
  total: Readonly<CpuTimes>;
  /** `cpuN` lines keyed by N as printed ("0", "1", …); the kernel omits offline CPUs. */
  cpus: ReadonlyMap<string, Readonly<CpuTimes>>;
}

const COUNTER_KEYS = new Map<string, keyof ProcStatCounters>([
  ['intr', 'interrupts'],
  ['ctxt', 'contextSwitches'],
  ['btime', 'bootTime'],
  ['processes', 'forks'],
  ['procs_running', 'procsRunning'],
  ['procs_blocked', 'procsBlocked'],
]);

const WHITESPACE = /\s+/;
const DIGITS = /^\d+$/;
const PER_CPU_KEY = /^cpu\d+$/;

/** The fewest columns any kernel prints on a `cpu` line (2.4: user nice system idle). */
const MIN_CPU_COLUMNS = 4;

/**
 * Parses the text of /proc/stat.
 *
 * Throws, rather than returning part of the file, when the text is empty, does not end in a newline
 * (the kernel always ends it with one, so the last line may be cut: "cpu0 44490 19 21045 10" would read
 * as a 2.4-style line with a wrong idle count), has no aggregate `cpu` line, or has a value that is
 * not an unsigned integer. A wrong counter is worse than a missing one: it becomes a reset in rate().
 */
export function parseProcStat(text: string): ProcStat {
  if (text.length === 0) throw new Error('/proc/stat: the file is empty');
  if (!text.endsWith('\n')) {
    throw new Error(
      `/proc/stat: truncated, the last line has no newline: "${tail(text.slice(text.lastIndexOf('\n') + 1))}"`,
    );
  }

  let total: CpuTimes | undefined;
  const cpus = new Map<string, CpuTimes>();
  const counters: ProcStatCounters = {};

  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const key = line.slice(0, space);
    const rest = line.slice(space + 1);
    if (key === 'cpu') {
      total = parseCpuLine(key, rest);
    } else if (PER_CPU_KEY.test(key)) {
      cpus.set(key.slice(3), parseCpuLine(key, rest));
    } else {
      const counter = COUNTER_KEYS.get(key);
      // `intr` is followed by one count per IRQ line (thousands on big boxes); only the first is needed.
      if (counter) counters[counter] = parseUnsigned(firstField(rest), `/proc/stat ${key}`);
    }
  }

  if (!total) throw new Error('/proc/stat: no aggregate "cpu" line');
  return { total, cpus, ...counters };
}

function parseCpuLine(key: string, columnsText: string): CpuTimes {
  const fields = columnsText.trim().split(WHITESPACE);
  if (fields.length < MIN_CPU_COLUMNS) {
    throw new Error(
      `/proc/stat ${key}: expected at least ${MIN_CPU_COLUMNS} columns, got "${tail(columnsText)}"`,
    );
  }
  const times: CpuTimes = {};
  // Columns past guest_nice would be from a future kernel; ignore them rather than guess a name.
  const columns = Math.min(fields.length, CPU_MODES.length);
  for (let i = 0; i < columns; i++) {
    const mode = CPU_MODES[i] as CpuMode;
    times[mode] = parseUnsigned(fields[i], `/proc/stat ${key} ${mode}`) / USER_HZ;
  }
  return times;
}

function firstField(text: string): string {
  const trimmed = text.trimStart();
  const end = trimmed.indexOf(' ');
  return end < 0 ? trimmed : trimmed.slice(0, end);
}

/**
 * A strict unsigned integer: `Number('')` is 0 and `parseInt('12abc')` is 12, and either would turn a
 * damaged file into a plausible-looking value.
 */
export function parseUnsigned(token: string | undefined, what: string): number {
  if (token === undefined || !DIGITS.test(token)) {
    throw new Error(`${what}: expected an unsigned integer, got "${token ?? ''}"`);
  }
  return Number(token);
}

/** The end of a line, enough to recognise it in an error message; an intr line has thousands of fields. */
function tail(line: string): string {
  const trimmed = line.trimEnd();
  return trimmed.length <= 40 ? trimmed : `…${trimmed.slice(-40)}`;
}
