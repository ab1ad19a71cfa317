import { DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE } from '../../common/config.ts';
import { errorReason } from '../../exporters/agent/scrape.ts';
import { NoDataError } from '../../exporters/collector.ts';
import { cpuFamilies } from '../../exporters/collectors/cpu.ts';
import { diskstatsFamilies } from '../../exporters/collectors/diskstats.ts';
import {
  type FilesystemSizes,
  filesystemExcludes,
  filesystemFamilies,
  selectMounts,
} from '../../exporters/collectors/filesystem.ts';
import { inventoryFamilies } from '../../exporters/collectors/inventory.ts';
import { loadavgFamilies } from '../../exporters/collectors/loadavg.ts';
import { meminfoFamilies } from '../../exporters/collectors/meminfo.ts';
import { netdevFamilies } from '../../exporters/collectors/netdev.ts';
import { osFamilies } from '../../exporters/collectors/os.ts';
import { statFamilies } from '../../exporters/collectors/stat.ts';
import { thermalFamilies } from '../../exporters/collectors/thermal-zone.ts';
import { unameFamilies } from '../../exporters/collectors/uname.ts';
import { type InventorySources, inventoryFrom } from '../../exporters/inventory/inventory.ts';
import { FamilyBuilder, type MetricFamily } from '../../exporters/metrics.ts';
import { parseDiskstats, parsePartitions } from '../../exporters/parsers/diskstats.ts';
import { type HwmonChipFiles, hwmonFamilies, isSensorFile } from '../../exporters/parsers/hwmon.ts';
import { parseLoadavg } from '../../exporters/parsers/loadavg.ts';
import { type MeminfoEntry, parseMeminfo } from '../../exporters/parsers/meminfo.ts';
import {
  type DfEntry,
  type Mount,
  parseDfPk,
  parseMountinfo,
  parseMounts,
} from '../../exporters/parsers/mountinfo.ts';
import { parseNetDev } from '../../exporters/parsers/netdev.ts';
import { osFacts, parseOsRelease } from '../../exporters/parsers/os-release.ts';
import { type ProcStat, parseProcStat } from '../../exporters/parsers/proc-stat.ts';
import type { SysfsClassEntry } from '../../exporters/sysfs.ts';
import type { ProbeSections } from './output.ts';

export interface ProbeFamiliesOptions {
  /** The target's tier (probe.targets[].tier); default: its inventory class, as for the agent. */
  tier?: string;
  /**
   * The identity sections (identitySections in output.ts) of this connection's first probe, for the
   * probes that ran PROBE_SCRIPT without them. Ignored when `sections` has its own.
   */
  identity?: ProbeSections;
  /** The agent's filesystem excludes; default: the agent's defaults (node_exporter's). */
  filesystem?: { mount_points_exclude: string; fs_types_exclude: string };
  /** The agent's netdev.device_exclude; default: none. */
  netdevDeviceExclude?: string;
  /**
   * The collector's clock in Unix seconds, to derive node_boot_time_seconds from /proc/uptime where
   * /proc/stat has no btime line. Without it such a target has no boot time.
   */
  nowSeconds?: number;
}

/** One unit of the probe's answer, named as the agent's collector that makes the same series. */
type Part = [name: string, build: () => MetricFamily[]];

/**
 * The agent's series for one target, from its probe output: node_* as the agent's collectors make them
 * from the same files (the same parsers and the same family builders), tierwise_node_info with the
 * inventory class and the capacity gauges, and tierwise_collector_up per collector as the agent
 * reports it, with the reason where a part had no data or did not parse. Pure: no I/O, no clock.
 */
export function probeFamilies(sections: ProbeSections, opts: ProbeFamiliesOptions = {}): MetricFamily[] {
  const s = new Sections(
    sections.has('identity') ? sections : new Map([...(opts.identity ?? []), ...sections]),
  );
  const filesystem = opts.filesystem ?? {
    mount_points_exclude: DEFAULT_MOUNT_POINTS_EXCLUDE,
    fs_types_exclude: DEFAULT_FS_TYPES_EXCLUDE,
  };
  const stat = once(() => parseProcStat(s.need('stat', '/proc/stat')));
  const meminfo = once(() =>
    meminfoWithAvailable(s.need('meminfo', '/proc/meminfo'), s.get('min-free-kbytes')),
  );
  const df = once(() => parseDfPk(s.need('df', 'df -Pk output')));

  const parts: Part[] = [
    ['cpu', () => cpuFamilies(stat().cpus)],
    ['stat', () => statFamilies(withBootTime(stat(), s.get('uptime'), opts.nowSeconds))],
    ['loadavg', () => loadavgFamilies(parseLoadavg(s.need('loadavg', '/proc/loadavg')))],
    [
      'meminfo',
      () => [
        ...meminfoFamilies(meminfo().entries),
        ...new FamilyBuilder()
          .gauge(
            'tierwise_probe_memavailable_estimated',
            "Whether node_memory_MemAvailable_bytes is the probe's estimate (1: the kernel, older than 3.14, does not print MemAvailable) or the kernel's (0).",
            meminfo().estimated ? 1 : 0,
          )
          .build(),
      ],
    ],
    ['diskstats', () => diskstatsFamilies(readDisks(s))],
    [
      'filesystem',
      () => {
        const wanted = selectMounts(readMounts(s), filesystemExcludes(filesystem));
        const sizes = dfSizes(df());
        return filesystemFamilies(wanted.map((mount) => ({ mount, sizes: sizes(mount) })));
      },
    ],
    [
      'netdev',
      () =>
        netdevFamilies(
          parseNetDev(s.need('net-dev', '/proc/net/dev')),
          opts.netdevDeviceExclude === undefined ? undefined : new RegExp(opts.netdevDeviceExclude),
        ),
    ],
    ['hwmon', () => hwmonFamilies(hwmonChips(s))],
    ['thermal_zone', () => thermalFamilies(thermalEntries(s))],
    ['uname', () => unameFamilies(unameInfo(s))],
    ['os', () => osFamilies(osFacts(parseOsRelease(s.need('os-release', '/etc/os-release'))))],
    [
      'inventory',
      () => {
        s.needIdentity();
        const logicalCpus = attempt(() => stat().cpus.size || undefined);
        const diskBytes = attempt(() => df().findLast((e) => e.mountPoint === '/')?.sizeBytes);
        const inventory = inventoryFrom(
          { ...inventorySources(s), meminfo: attempt(() => meminfo().text), diskBytes },
          {
            hostname: s.line('hostname') ?? s.line('uname-n') ?? '',
            machine: s.line('uname-m') ?? 'unknown',
            osName: s.line('uname-s') ?? 'Linux',
            kernelRelease: s.line('uname-r') ?? 'unknown',
            logicalCpus,
          },
          { tier: opts.tier },
        );
        return inventoryFamilies(inventory);
      },
    ],
  ];

  const families: MetricFamily[] = [];
  const health = new FamilyBuilder();
  for (const [collector, build] of parts) {
    let reason: string | undefined;
    try {
      families.push(...build());
    } catch (err) {
      reason = err instanceof NoDataError ? `no data: ${err.message}` : errorReason(err);
    }
    health.gauge(
      'tierwise_collector_up',
      'Whether the collector succeeded on this scrape (1) or not (0, with the reason as a label).',
      reason === undefined ? 1 : 0,
      reason === undefined ? { collector } : { collector, reason },
    );
  }
  return [...families, ...health.build()];
}

/** The sections with the lookups every part needs. */
class Sections {
  constructor(private readonly map: ProbeSections) {}

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  /** A section that must be there; its absence is no data, as a missing file is for the agent. */
  need(key: string, what: string): string {
    const text = this.map.get(key);
    if (text === undefined) throw new NoDataError(`no ${what}`);
    return text;
  }

  /** A one-line section (an attribute, a uname field) without its newline; empty is absent. */
  line(key: string): string | undefined {
    return this.map.get(key)?.trim() || undefined;
  }

  needIdentity(): void {
    if (!this.map.has('identity'))
      throw new NoDataError('identity (cpuinfo, uname) not read on this connection');
  }

  /** The entries one level below `prefix` ("hwmon/" → "hwmon0", "hwmon1"), from their own markers. */
  children(prefix: string): string[] {
    return [...this.map.keys()]
      .filter((key) => key.startsWith(prefix) && !key.slice(prefix.length).includes('/'))
      .map((key) => key.slice(prefix.length));
  }
}

function once<T>(compute: () => T): () => T {
  let result: { value: T } | undefined;
  return () => {
    result ??= { value: compute() };
    return result.value;
  };
}

/** The value, or undefined where computing it fails: for facts another part reports the failure of. */
function attempt<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch {
    return undefined;
  }
}

/**
 * btime where /proc/stat has it (every kernel from 2.4 on); otherwise the collector's clock less the
 * target's uptime, when the caller gave a clock.
 */
function withBootTime(stat: ProcStat, uptime: string | undefined, nowSeconds: number | undefined): ProcStat {
  if (stat.bootTime !== undefined || uptime === undefined || nowSeconds === undefined) return stat;
  const up = Number(uptime.trim().split(/\s+/)[0]);
  return Number.isFinite(up) ? { ...stat, bootTime: Math.round(nowSeconds - up) } : stat;
}

/** /proc/diskstats, or the counters a 2.4 kernel appends to /proc/partitions. */
function readDisks(s: Sections) {
  const diskstats = s.get('diskstats');
  if (diskstats !== undefined) return parseDiskstats(diskstats);
  return parsePartitions(s.need('partitions', '/proc/diskstats or /proc/partitions'));
}

/** The mount table the script chose as the agent does: pid 1's mountinfo, its own, or /proc/mounts. */
function readMounts(s: Sections): Mount[] {
  const mountinfo = s.get('mountinfo');
  if (mountinfo !== undefined) return parseMountinfo(mountinfo);
  return parseMounts(s.need('mounts', 'mountinfo or /proc/mounts'));
}

/**
 * The df -Pk row of a mount: the last row for its mount point (the mount on top, whose figures a statfs
 * of that path gives the agent too), else, for a block device, a row of the same device (GNU df since
 * 8.21 prints a device mounted twice once). No row is a device error, as a failed statfs is.
 */
function dfSizes(rows: readonly DfEntry[]): (mount: Mount) => FilesystemSizes | undefined {
  const byMountPoint = new Map(rows.map((r) => [r.mountPoint, r]));
  const byDevice = new Map(rows.filter((r) => r.filesystem.startsWith('/')).map((r) => [r.filesystem, r]));
  return (mount) => {
    const row =
      byMountPoint.get(mount.mountPoint) ??
      (mount.device.startsWith('/') ? byDevice.get(mount.device) : undefined);
    // df's Used is blocks less free blocks, so free is what is not used; df has no inode columns.
    return (
      row && {
        sizeBytes: row.sizeBytes,
        freeBytes: row.sizeBytes - row.usedBytes,
        availBytes: row.availBytes,
      }
    );
  };
}

/** hwmonN directories as the agent's hwmon collector reads them: name and sensor files, device/ winning. */
function hwmonChips(s: Sections): HwmonChipFiles[] {
  if (s.get('hwmon') === undefined) throw new NoDataError('no /sys/class/hwmon');
  const chips = s.children('hwmon/').map((dir): HwmonChipFiles => {
    const devicePath = s.line(`hwmon/${dir}/device`);
    const attributes = new Map<string, string>();
    const name = s.get(`hwmon/${dir}/name`);
    if (name !== undefined) attributes.set('name', name);
    for (const file of s.children(`hwmon/${dir}/`)) {
      const text = s.get(`hwmon/${dir}/${file}`);
      if (text !== undefined && isSensorFile(file)) attributes.set(file, text);
    }
    if (devicePath !== undefined) {
      for (const file of s.children(`hwmon/${dir}/device/`)) {
        const text = s.get(`hwmon/${dir}/device/${file}`);
        if (text !== undefined && isSensorFile(file)) attributes.set(file, text);
      }
    }
    return { dir, devicePath, attributes };
  });
  if (chips.length === 0) throw new NoDataError('no hwmon chips in /sys/class/hwmon');
  return chips;
}

/** thermal_zoneN and cooling_deviceN entries with the attributes the script could read. */
function thermalEntries(s: Sections): SysfsClassEntry[] {
  if (s.get('thermal') === undefined) throw new NoDataError('no /sys/class/thermal');
  const entries = s.children('thermal/').map((name): SysfsClassEntry => {
    const values = new Map<string, string>();
    for (const file of s.children(`thermal/${name}/`))
      values.set(file, s.get(`thermal/${name}/${file}`) ?? '');
    return { name, path: `/sys/class/thermal/${name}`, values, failed: new Map() };
  });
  if (entries.length === 0)
    throw new NoDataError('no thermal zones or cooling devices in /sys/class/thermal');
  return entries;
}

/** uname(1)'s answers, with the host and domain names from procfs where it has them, as the agent reads. */
function unameInfo(s: Sections) {
  s.needIdentity();
  const field = (key: string) => {
    const value = s.line(key);
    if (value === undefined) throw new NoDataError(`no ${key.replace('-', ' -')} output`);
    return value;
  };
  return {
    sysname: field('uname-s'),
    release: field('uname-r'),
    version: field('uname-v'),
    machine: field('uname-m'),
    nodename: s.line('hostname') ?? field('uname-n'),
    domainname: s.line('domainname') ?? '',
  };
}

function inventorySources(s: Sections): Omit<InventorySources, 'meminfo' | 'diskBytes'> {
  return {
    cpuinfo: s.get('cpuinfo'),
    osRelease: s.get('os-release'),
    kernelRelease: s.line('uname-r'),
    dtModel: s.get('dt-model'),
    dmiVendor: s.get('dmi/sys_vendor'),
    dmiProduct: s.get('dmi/product_name'),
    cpuMaxFreq: s.get('cpu-max-freq'),
    nvidiaGpus: s.children('nvidia-gpu/').length,
    drmCards: s
      .children('drm/')
      .filter((card) => /^card\d+$/.test(card))
      .map((card) => ({ vendor: s.get(`drm/${card}/vendor`), class: s.get(`drm/${card}/class`) })),
    powerSupplies: s.children('power-supply/').map((name) => ({
      type: s.get(`power-supply/${name}/type`),
      scope: s.get(`power-supply/${name}/scope`),
    })),
  };
}

/**
 * 2.4 kernels open /proc/meminfo with a byte summary ("        total:    used: …", "Mem:  …",
 * "Swap: …") before the kB fields that repeat it; the agent's parser takes the kB fields only.
 */
const MEMINFO_24_SUMMARY = /^(\s+total:\s+used:.*|(Mem|Swap):(\s+\d+){3,})$/;

export interface ProbeMeminfo {
  /** The text the agent's parser reads (a 2.4 kernel's byte summary left out). */
  text: string;
  entries: MeminfoEntry[];
  /** Whether MemAvailable_bytes is the probe's estimate rather than the kernel's. */
  estimated: boolean;
}

/**
 * /proc/meminfo's fields, with MemAvailable estimated where the kernel (before 3.14) does not print it.
 *
 * The estimate is the kernel's own (3.14's si_mem_available): free memory above the low watermarks,
 * plus the file page cache and the reclaimable slab, less half of each or the low watermark, whichever
 * is smaller. The watermarks are not in meminfo; as procps-ng's `free` does on such kernels, their sum
 * is taken as min_free_kbytes × 5/4, and as 0 where /proc/sys/vm/min_free_kbytes is missing (2.4).
 * Kernels before 2.6.28 have no Active(file)/Inactive(file): there the page cache is Buffers + Cached
 * (what `free` then called "-/+ buffers/cache"), where procps-ng would give MemFree alone.
 */
export function meminfoWithAvailable(raw: string, minFreeKbytes?: string): ProbeMeminfo {
  const text = raw
    .split('\n')
    .filter((line) => !MEMINFO_24_SUMMARY.test(line))
    .join('\n');
  const entries = parseMeminfo(text);
  if (entries.some((e) => e.key === 'MemAvailable_bytes')) return { text, entries, estimated: false };
  const kb = (key: string): number | undefined => {
    const bytes = entries.find((e) => e.key === key)?.value;
    return bytes === undefined ? undefined : bytes / 1024;
  };
  const free = kb('MemFree_bytes');
  if (free === undefined) return { text, entries, estimated: false };
  const activeFile = kb('Active_file_bytes');
  const inactiveFile = kb('Inactive_file_bytes');
  const pageCache =
    activeFile !== undefined && inactiveFile !== undefined
      ? activeFile + inactiveFile
      : (kb('Buffers_bytes') ?? 0) + (kb('Cached_bytes') ?? 0);
  const slab = kb('SReclaimable_bytes') ?? 0;
  const minFree = Number(minFreeKbytes?.trim());
  const low = Number.isSafeInteger(minFree) && minFree > 0 ? Math.floor((minFree * 5) / 4) : 0;
  const reclaimable = (kbytes: number) => kbytes - Math.min(Math.floor(kbytes / 2), low);
  const availableKb = Math.max(0, free - low + reclaimable(pageCache) + reclaimable(slab));
  return {
    text,
    entries: [...entries, { key: 'MemAvailable_bytes', value: availableKb * 1024 }],
    estimated: true,
  };
}
