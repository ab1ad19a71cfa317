/**
 * What nvidia-smi prints: `--query-gpu=… --format=csv,noheader,nounits` lines (what the agent streams),
 * the `--format=csv` form with a header and units that the team's captures hold, `--query-compute-apps`,
 * `-L`, and the messages it prints instead when the driver cannot be used. Text in, typed values out:
 * every value nvidia-smi cannot give ("[N/A]", "[Not Supported]", "[Requested functionality has been
 * deprecated]", "N/A", …) is undefined, never 0.
 */

interface GpuFieldSpec {
  key: string;
  /** Names nvidia-smi accepts for it, preferred first; the others are aliases of older or newer drivers. */
  names: readonly string[];
  /** Without it a line cannot be told apart from another GPU's, so a driver that refuses it is unusable. */
  required?: true;
}

/**
 * The `--query-gpu` fields the agent asks for, in column order. Every field not marked required may be
 * refused by a driver ('Field "…" is not a valid field to query.'); the stream then asks for the next
 * name, or goes on without it. All of them are in the oldest help text of the fixtures
 * (help/help-query-gpu-fields.txt) except utilization.encoder/decoder, power.draw.instant and
 * total_energy_consumption, which no captured driver (590–610) lists either: the energy counter is asked
 * for in case a driver has it, and costs one refused start where none does.
 * `name` comes last: a product name is the only value that might itself hold the ", " separator.
 */
export const GPU_FIELDS = [
  { key: 'index', names: ['index'], required: true },
  { key: 'count', names: ['count'], required: true },
  { key: 'uuid', names: ['uuid', 'gpu_uuid'], required: true },
  { key: 'pciBusId', names: ['pci.bus_id', 'gpu_bus_id'] },
  { key: 'driverVersion', names: ['driver_version'] },
  { key: 'utilizationGpu', names: ['utilization.gpu'] },
  { key: 'utilizationMemory', names: ['utilization.memory'] },
  { key: 'utilizationEncoder', names: ['utilization.encoder'] },
  { key: 'utilizationDecoder', names: ['utilization.decoder'] },
  { key: 'memoryUsed', names: ['memory.used'] },
  { key: 'memoryTotal', names: ['memory.total'] },
  { key: 'powerDraw', names: ['power.draw'] },
  // Blackwell boards report power.draw [N/A] but an instant reading (fixtures: rtx-pro-6000 XML).
  { key: 'powerDrawInstant', names: ['power.draw.instant', 'gpu.power.draw.instant'] },
  { key: 'powerLimit', names: ['enforced.power.limit', 'gpu.power.current_limit', 'power.limit'] },
  { key: 'energy', names: ['total_energy_consumption'] },
  { key: 'temperatureGpu', names: ['temperature.gpu'] },
  { key: 'temperatureMemory', names: ['temperature.memory'] },
  { key: 'fanSpeed', names: ['fan.speed'] },
  { key: 'pstate', names: ['pstate'] },
  { key: 'clockGraphics', names: ['clocks.current.graphics', 'clocks.gr'] },
  { key: 'clockSm', names: ['clocks.current.sm', 'clocks.sm'] },
  { key: 'clockMemory', names: ['clocks.current.memory', 'clocks.mem'] },
  { key: 'clockVideo', names: ['clocks.current.video', 'clocks.video'] },
  { key: 'clockMaxGraphics', names: ['clocks.max.graphics', 'clocks.max.gr'] },
  { key: 'clockMaxSm', names: ['clocks.max.sm'] },
  { key: 'clockMaxMemory', names: ['clocks.max.memory', 'clocks.max.mem'] },
  // Drivers from 535 call them clock event reasons and still accept the throttle names; older ones
  // know only those.
  {
    key: 'eventReasonsSupported',
    names: ['clocks_throttle_reasons.supported', 'clocks_event_reasons.supported'],
  },
  { key: 'eventReasonsActive', names: ['clocks_throttle_reasons.active', 'clocks_event_reasons.active'] },
  { key: 'eccCorrectedVolatile', names: ['ecc.errors.corrected.volatile.total'] },
  { key: 'eccUncorrectedVolatile', names: ['ecc.errors.uncorrected.volatile.total'] },
  { key: 'eccCorrectedAggregate', names: ['ecc.errors.corrected.aggregate.total'] },
  { key: 'eccUncorrectedAggregate', names: ['ecc.errors.uncorrected.aggregate.total'] },
  { key: 'retiredSingleBit', names: ['retired_pages.single_bit_ecc.count', 'retired_pages.sbe'] },
  { key: 'retiredDoubleBit', names: ['retired_pages.double_bit.count', 'retired_pages.dbe'] },
  { key: 'migMode', names: ['mig.mode.current'] },
  { key: 'name', names: ['name', 'gpu_name'], required: true },
] as const satisfies readonly GpuFieldSpec[];

export type GpuFieldKey = (typeof GPU_FIELDS)[number]['key'];
export type GpuFieldSpecOf = (typeof GPU_FIELDS)[number];

export type GpuClock = 'graphics' | 'sm' | 'memory' | 'video';
export type EccErrors = Record<
  'corrected' | 'uncorrected',
  Partial<Record<'volatile' | 'aggregate', number>>
>;

/** One GPU's line of one tick, in base units (bytes, watts, joules, hertz, ratios 0–1). */
export interface GpuReading {
  index: number;
  /** GPUs nvidia-smi reports each tick: a sample is complete when this many lines have arrived. */
  count: number;
  uuid: string;
  name: string;
  pciBusId?: string;
  driverVersion?: string;
  utilization: { gpu?: number; memory?: number; encoder?: number; decoder?: number };
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  /** power.draw, else power.draw.instant where only that is reported. */
  powerWatts?: number;
  powerLimitWatts?: number;
  /** total_energy_consumption: since the driver was loaded. */
  energyJoules?: number;
  temperatureCelsius: { gpu?: number; memory?: number };
  fanRatio?: number;
  clocksHertz: Partial<Record<GpuClock, number>>;
  maxClocksHertz: Partial<Record<GpuClock, number>>;
  /** 0 for P0 (most performance) … 15 for P15. */
  pstate?: number;
  /** Bitmasks of nvmlClocksEventReasons; `supported` undefined when not asked or not reported. */
  clockEventReasons?: { active: number; supported?: number };
  eccErrors: EccErrors;
  retiredPages: { singleBitEcc?: number; doubleBitEcc?: number };
  migEnabled?: boolean;
}

type Cells = Partial<Record<GpuFieldKey, string>>;

const NAME_TO_KEY = new Map<string, GpuFieldKey>(
  GPU_FIELDS.flatMap((f) => f.names.map((n) => [n, f.key] as [string, GpuFieldKey])),
);

const MIB = 1024 * 1024;
const MHZ = 1e6;
/** A number, optionally followed by the unit the `--format=csv` form (without nounits) prints. */
const NUMBER = /^(-?\d+(?:\.\d+)?)(?: ?(?:%|W|MiB|MHz|us|ms|mJ|J|C))?$/;
const HEX = /^0x([0-9a-fA-F]+)$/;
const PSTATE = /^P(\d{1,2})$/;
const SEPARATOR = ', ';

/**
 * A cell as a number, or undefined for everything nvidia-smi prints where it has none: the bracketed
 * "[N/A]", "[Not Supported]", "[Unknown Error]", "[GPU is lost]", "[Requested functionality has been
 * deprecated]", "[Function Not Found]", the bare "N/A" of newer drivers' temperature.memory, and "".
 */
export function parseNvidiaNumber(cell: string | undefined): number | undefined {
  const match = NUMBER.exec(cell?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}

/** A "0x…" bitmask; only the low 32 bits, which hold every reason NVML defines. */
function parseHexMask(cell: string | undefined): number | undefined {
  const hex = HEX.exec(cell?.trim() ?? '')?.[1];
  return hex === undefined ? undefined : Number.parseInt(hex.slice(-8), 16);
}

function parseText(cell: string | undefined): string | undefined {
  const text = cell?.trim();
  if (!text || text === 'N/A' || (text.startsWith('[') && text.endsWith(']'))) return undefined;
  return text;
}

const scaled = (cell: string | undefined, factor: number) => {
  const v = parseNvidiaNumber(cell);
  return v === undefined ? undefined : v * factor;
};

/** The field keys of a `--format=csv` header ("memory.total [MiB]" → memoryTotal); unknown names are undefined. */
export function parseQueryGpuHeader(line: string): (GpuFieldKey | undefined)[] {
  return line.split(SEPARATOR).map((column) => NAME_TO_KEY.get(column.replace(/ \[[^\]]*\]$/, '').trim()));
}

/**
 * One GPU's line, its columns named by `keys` (the query's order). Undefined when the line is not one:
 * too few columns, or no index, count, uuid or name (an error message in the stream, a blank line).
 * Extra separators can only come from the last column, the product name, which gets them back.
 */
export function parseQueryGpuLine(
  line: string,
  keys: readonly (GpuFieldKey | undefined)[],
  position?: number,
): GpuReading | undefined {
  const parts = line.replace(/\r$/, '').split(SEPARATOR);
  if (parts.length < keys.length || keys.length === 0) return undefined;
  if (parts.length > keys.length)
    parts.splice(keys.length - 1, Infinity, parts.slice(keys.length - 1).join(SEPARATOR));
  const cells: Cells = {};
  keys.forEach((key, i) => {
    if (key !== undefined) cells[key] = parts[i];
  });
  return readingOf(cells, position);
}

/**
 * A whole `--query-gpu` output: with its header when `keys` is not given (the captures), else without.
 * Captures made without the index field get each GPU's position, the order nvidia-smi prints them in.
 */
export function parseQueryGpuCsv(text: string, keys?: readonly (GpuFieldKey | undefined)[]): GpuReading[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const columns = keys ?? parseQueryGpuHeader(lines.shift() ?? '');
  return lines.map((line, i) => {
    const reading = parseQueryGpuLine(line, columns, i);
    if (!reading) throw new Error(`nvidia-smi --query-gpu line ${i + 1}: not a GPU line: "${line}"`);
    return reading;
  });
}

function readingOf(c: Cells, position: number | undefined): GpuReading | undefined {
  const index = c.index === undefined ? position : parseNvidiaNumber(c.index);
  const count = parseNvidiaNumber(c.count);
  const uuid = parseText(c.uuid);
  const name = parseText(c.name);
  if (index === undefined || !Number.isInteger(index) || uuid === undefined || name === undefined)
    return undefined;
  const active = parseHexMask(c.eventReasonsActive);
  const migMode = parseText(c.migMode);
  return {
    index,
    // A driver that refuses `count` is refused as unusable; one GPU is the only safe guess otherwise.
    count: count !== undefined && Number.isInteger(count) && count > 0 ? count : 1,
    uuid,
    name,
    pciBusId: parseText(c.pciBusId),
    driverVersion: parseText(c.driverVersion),
    utilization: {
      gpu: scaled(c.utilizationGpu, 0.01),
      memory: scaled(c.utilizationMemory, 0.01),
      encoder: scaled(c.utilizationEncoder, 0.01),
      decoder: scaled(c.utilizationDecoder, 0.01),
    },
    memoryUsedBytes: scaled(c.memoryUsed, MIB),
    memoryTotalBytes: scaled(c.memoryTotal, MIB),
    powerWatts: parseNvidiaNumber(c.powerDraw) ?? parseNvidiaNumber(c.powerDrawInstant),
    powerLimitWatts: parseNvidiaNumber(c.powerLimit),
    energyJoules: scaled(c.energy, 0.001),
    temperatureCelsius: {
      gpu: parseNvidiaNumber(c.temperatureGpu),
      memory: parseNvidiaNumber(c.temperatureMemory),
    },
    fanRatio: scaled(c.fanSpeed, 0.01),
    clocksHertz: {
      graphics: scaled(c.clockGraphics, MHZ),
      sm: scaled(c.clockSm, MHZ),
      memory: scaled(c.clockMemory, MHZ),
      video: scaled(c.clockVideo, MHZ),
    },
    maxClocksHertz: {
      graphics: scaled(c.clockMaxGraphics, MHZ),
      sm: scaled(c.clockMaxSm, MHZ),
      memory: scaled(c.clockMaxMemory, MHZ),
    },
    pstate: parsePstate(c.pstate),
    clockEventReasons:
      active === undefined ? undefined : { active, supported: parseHexMask(c.eventReasonsSupported) },
    eccErrors: {
      corrected: {
        volatile: parseNvidiaNumber(c.eccCorrectedVolatile),
        aggregate: parseNvidiaNumber(c.eccCorrectedAggregate),
      },
      uncorrected: {
        volatile: parseNvidiaNumber(c.eccUncorrectedVolatile),
        aggregate: parseNvidiaNumber(c.eccUncorrectedAggregate),
      },
    },
    retiredPages: {
      singleBitEcc: parseNvidiaNumber(c.retiredSingleBit),
      doubleBitEcc: parseNvidiaNumber(c.retiredDoubleBit),
    },
    migEnabled: migMode === 'Enabled' ? true : migMode === 'Disabled' ? false : undefined,
  };
}

function parsePstate(cell: string | undefined): number | undefined {
  const n = PSTATE.exec(cell?.trim() ?? '')?.[1];
  return n === undefined ? undefined : Number(n);
}

/**
 * nvmlClocksEventReasons bits (nvml.h), under the names nvidia-smi's fields use. NVIDIA renamed
 * "throttle reasons" to "clock event reasons" in driver 535; the bits are the same.
 */
export const CLOCK_EVENT_REASONS = [
  ['gpu_idle', 0x1],
  ['applications_clocks_setting', 0x2],
  ['sw_power_cap', 0x4],
  ['hw_slowdown', 0x8],
  ['sync_boost', 0x10],
  ['sw_thermal_slowdown', 0x20],
  ['hw_thermal_slowdown', 0x40],
  ['hw_power_brake_slowdown', 0x80],
  ['display_clock_setting', 0x100],
] as const;

/** Each known reason the GPU supports (all of them when `supported` is unknown), active or not. */
export function decodeClockEventReasons(reasons: {
  active: number;
  supported?: number;
}): { reason: string; active: boolean }[] {
  return CLOCK_EVENT_REASONS.filter(
    ([, bit]) => reasons.supported === undefined || (reasons.supported & bit) !== 0,
  ).map(([reason, bit]) => ({ reason, active: (reasons.active & bit) !== 0 }));
}

/** `--query-compute-apps` columns the agent asks for (process names are left out: they may hold ", "). */
export const COMPUTE_APP_FIELDS = ['gpu_uuid', 'pid', 'used_gpu_memory'] as const;

export interface ComputeApp {
  gpuUuid: string;
  pid: number;
  /** Undefined where the driver cannot say (Windows WDDM prints "[N/A]"). */
  usedMemoryBytes?: number;
}

const COMPUTE_APP_NAMES: Record<string, 'gpuUuid' | 'pid' | 'usedMemory'> = {
  gpu_uuid: 'gpuUuid',
  pid: 'pid',
  used_gpu_memory: 'usedMemory',
  used_memory: 'usedMemory',
};

/**
 * `--query-compute-apps` output: with a header (the captures, whose columns it names) or in
 * COMPUTE_APP_FIELDS order. Lines without a pid (none are printed when no process runs, older drivers
 * print "No running processes found") are skipped.
 */
export function parseComputeApps(text: string, withHeader = false): ComputeApp[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = withHeader ? (lines.shift() ?? '') : COMPUTE_APP_FIELDS.join(SEPARATOR);
  const columns = header.split(SEPARATOR).map((h) => COMPUTE_APP_NAMES[h.replace(/ \[[^\]]*\]$/, '').trim()]);
  const apps: ComputeApp[] = [];
  for (const line of lines) {
    const parts = line.replace(/\r$/, '').split(SEPARATOR);
    const cell = (name: 'gpuUuid' | 'pid' | 'usedMemory') => parts[columns.indexOf(name)];
    const pid = parseNvidiaNumber(cell('pid'));
    const gpuUuid = parseText(cell('gpuUuid'));
    if (pid === undefined || !Number.isInteger(pid) || gpuUuid === undefined) continue;
    apps.push({ gpuUuid, pid, usedMemoryBytes: scaled(cell('usedMemory'), MIB) });
  }
  return apps;
}

export interface MigDevice {
  /** The MIG profile, e.g. "3g.40gb", or "1c.3g.71gb" for a compute instance of a shared GPU instance. */
  profile: string;
  /** The MIG device's index on its GPU. */
  device: number;
  uuid: string;
}

export interface ListedGpu {
  index: number;
  name: string;
  uuid: string;
  mig: MigDevice[];
}

const LIST_GPU = /^GPU (\d+): (.+) \(UUID: (GPU-[^)]+)\)$/;
const LIST_MIG = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[^)]+)\)$/;

/** `nvidia-smi -L`: each GPU, and below it the MIG devices it is split into. */
export function parseGpuList(text: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of text.split('\n')) {
    const gpu = LIST_GPU.exec(line.trimEnd());
    if (gpu?.[1] && gpu[2] && gpu[3]) {
      gpus.push({ index: Number(gpu[1]), name: gpu[2], uuid: gpu[3], mig: [] });
      continue;
    }
    const mig = LIST_MIG.exec(line.trimEnd());
    const owner = gpus.at(-1);
    if (mig?.[1] && mig[2] && mig[3] && owner) {
      owner.mig.push({ profile: mig[1], device: Number(mig[2]), uuid: mig[3] });
    }
  }
  return gpus;
}

/** The field nvidia-smi refused ('Field "x" is not a valid field to query.'; Windows prints curly quotes). */
export function invalidQueryField(text: string): string | undefined {
  return /Field\s+["\u201c]([^"\u201d]+)["\u201d]\s+is not a valid field to query/.exec(text)?.[1];
}

/**
 * Why nvidia-smi cannot be used, from what it printed, as a short reason that stays the same from one
 * run to the next (no bus ids, no versions), for `tierwise_collector_up{reason}`. Undefined for output
 * it does not recognise.
 */
export function classifyNvidiaSmiFailure(text: string): string | undefined {
  if (/No devices were found/i.test(text)) return 'no devices were found';
  if (/Driver\/library version mismatch/i.test(text)) return 'NVML driver/library version mismatch';
  if (/GPU is lost/i.test(text)) return 'GPU is lost';
  if (/couldn't communicate with the NVIDIA driver/i.test(text)) {
    return "couldn't communicate with the NVIDIA driver";
  }
  const handle = /Unable to determine the device handle for GPU ?[0-9A-Fa-f:.]+: ([^\n]+)/.exec(text)?.[1];
  if (handle !== undefined) return `unable to determine the device handle: ${tidy(handle)}`;
  const nvml = /Failed to initialize NVML: ([^\n]+)/.exec(text)?.[1];
  if (nvml !== undefined) return `failed to initialize NVML: ${tidy(nvml)}`;
  return undefined;
}

function tidy(message: string): string {
  return message.trim().replace(/\.$/, '').slice(0, 100);
}
