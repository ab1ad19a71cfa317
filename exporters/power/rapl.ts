import { readSysfsClass, type SysfsClassEntry } from '../sysfs.ts';

/** One powercap RAPL zone: a package, one of its subzones (core, uncore, dram) or the platform (psys). */
export interface RaplZone {
  /** The zone's directory, e.g. /sys/class/powercap/intel-rapl:0:1. */
  path: string;
  /** "package", "core", "uncore", "dram", "psys": the name file with a package's "-N" taken off. */
  zone: string;
  /** The last number of the directory name, as node_exporter labels it. */
  index: string;
  /** Depth in the tree: 0 for packages and psys, 1 for their subzones. */
  depth: number;
  /** Undefined when energy_uj could not be read (see `unreadable`). */
  energyJoules?: number;
  wrapJoules?: number;
  /** Why energy_uj could not be read: "EACCES" on Linux 5.10+ for everyone but root. */
  unreadable?: string;
}

/**
 * Intel and AMD (Zen, Linux 5.8+) both appear as intel-rapl:N[:M]. The intel-rapl-mmio zones are the
 * same package counters through another interface, so they are left out rather than counted twice.
 */
const ZONE_DIR = /^intel-rapl(?::\d+)+$/;

export async function readRaplZones(sysfs: string): Promise<RaplZone[] | undefined> {
  const entries = await readSysfsClass(`${sysfs}/class/powercap`, ZONE_DIR, (file) =>
    ['name', 'energy_uj', 'max_energy_range_uj'].includes(file),
  );
  return entries?.flatMap((e) => zoneOf(e) ?? []).sort((a, b) => a.path.localeCompare(b.path));
}

function zoneOf(entry: SysfsClassEntry): RaplZone | undefined {
  const rawName = entry.values.get('name')?.trim();
  if (!rawName) return undefined;
  const numbers = entry.name.split(':').slice(1);
  const pkg = /^package-(\d+)$/.exec(rawName);
  const zone: RaplZone = {
    path: entry.path,
    zone: pkg ? 'package' : rawName,
    index: numbers.at(-1) ?? '0',
    depth: numbers.length - 1,
  };
  const energy = entry.values.get('energy_uj');
  const range = entry.values.get('max_energy_range_uj');
  if (range !== undefined) zone.wrapJoules = microToUnit(range, `${entry.path}/max_energy_range_uj`);
  if (energy !== undefined) zone.energyJoules = microToUnit(energy, `${entry.path}/energy_uj`);
  else zone.unreadable = entry.failed.get('energy_uj') ?? 'ENOENT';
  return zone;
}

function microToUnit(text: string, file: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new Error(`${file}: expected an unsigned integer, got "${t}"`);
  return Number(t) / 1e6;
}

/**
 * The zones whose sum is the machine's RAPL energy, each counted once: psys (the whole SoC platform,
 * on laptops and some desktops) when there is one; otherwise every package plus the DRAM zones, which
 * the package does not include. Core and uncore are inside their package.
 */
export function nodeZones(zones: RaplZone[]): RaplZone[] {
  const psys = zones.filter((z) => z.zone === 'psys');
  if (psys.length > 0) return psys;
  return zones.filter((z) => (z.depth === 0 && z.zone === 'package') || z.zone === 'dram');
}
