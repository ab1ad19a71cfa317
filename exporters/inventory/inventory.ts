import { statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VERSION } from '../../common/version.ts';
import {
  type CollectorContext,
  NoDataError,
  procPath,
  readOptional,
  rootfsPath,
  sysPath,
} from '../collector.ts';
import { decodePiRevision, parseCpuinfo } from '../parsers/cpuinfo.ts';
import { parseMeminfo } from '../parsers/meminfo.ts';
import { parseOsRelease } from '../parsers/os-release.ts';
import { readSysfsAttributes, readSysfsClass } from '../sysfs.ts';
import { classifyNode, type NodeClass } from './classify.ts';
import { measureSpeedScore, type SpeedScore } from './speed-score.ts';

/** What this machine is and can do: the facts behind tierwise_node_info and `tierwise inventory`. */
export interface Inventory {
  hostname: string;
  arch: string;
  model: string;
  os: string;
  kernel: string;
  version: string;
  logicalCpus: number;
  memoryBytes: number;
  /** Size of the root filesystem. */
  diskBytes?: number;
  gpus: number;
  maxCpuHertz?: number;
  onBattery: boolean;
  speed?: SpeedScore;
  class: NodeClass;
  tier: string;
}

/** Kernel machine names as the container and package world spells architectures. */
const ARCH_NAMES: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'armv7',
  armv6l: 'armv6',
  i386: '386',
  i486: '386',
  i586: '386',
  i686: '386',
  riscv64: 'riscv64',
};

export function archName(machine: string): string {
  return ARCH_NAMES[machine] ?? machine;
}

const trimNul = (s: string | undefined) => s?.replace(/\0/g, '').trim() || undefined;

/**
 * The files an inventory is decided from, as read from the host: undefined where the host has no such
 * file. The agent reads them under its --path.* roots; the SSH probe gets them from its script's output.
 */
export interface InventorySources {
  cpuinfo?: string;
  meminfo?: string;
  /** /etc/os-release, else /usr/lib/os-release. */
  osRelease?: string;
  /** /proc/sys/kernel/osrelease (`uname -r`). */
  kernelRelease?: string;
  /** /sys/firmware/devicetree/base/model. */
  dtModel?: string;
  /** /sys/class/dmi/id/sys_vendor and product_name. */
  dmiVendor?: string;
  dmiProduct?: string;
  /** cpu0's cpufreq/cpuinfo_max_freq, in kHz as the kernel prints it. */
  cpuMaxFreq?: string;
  /** Entries of /proc/driver/nvidia/gpus. */
  nvidiaGpus: number;
  /** The `vendor` and `class` of each /sys/class/drm/cardN/device (undefined where it has none). */
  drmCards: ReadonlyArray<{ vendor?: string; class?: string } | undefined>;
  /** `type` and `scope` of each /sys/class/power_supply entry. */
  powerSupplies: ReadonlyArray<{ type?: string; scope?: string }>;
  /** Size of the root filesystem. */
  diskBytes?: number;
}

/**
 * What the host says where its files are silent: node:os for the agent, `uname` and /proc/stat for the
 * SSH probe. Memory and CPUs may be unknown too (a probe of a target without /proc/meminfo).
 */
export interface HostDefaults {
  hostname: string;
  /** uname's machine ("x86_64", "i686", "armv7l"). */
  machine: string;
  /** uname's system name, the OS when there is no os-release. */
  osName: string;
  kernelRelease: string;
  memoryBytes?: number;
  logicalCpus?: number;
}

/**
 * The inventory, decided from what was read: the same rules for the agent and the SSH probe. Throws
 * NoDataError when neither the sources nor the defaults tell the memory or the CPU count.
 */
export function inventoryFrom(
  src: InventorySources,
  host: HostDefaults,
  opts: { tier?: string; speed?: SpeedScore } = {},
): Inventory {
  const cpu = parseCpuinfo(src.cpuinfo ?? '');
  const pi = cpu.revision ? decodePiRevision(cpu.revision) : undefined;
  const memTotal = src.meminfo
    ? parseMeminfo(src.meminfo).find((e) => e.key === 'MemTotal_bytes')?.value
    : undefined;
  const memoryBytes = memTotal ?? pi?.memoryBytes ?? host.memoryBytes;
  if (memoryBytes === undefined) throw new NoDataError('no MemTotal in meminfo');
  const logicalCpus = cpu.logicalCpus || host.logicalCpus;
  if (logicalCpus === undefined) throw new NoDataError('no processors in cpuinfo');
  // cpufreq's maximum, else the rated clock in the model name; x86's "cpu MHz" is the current clock
  // (800 on an idle laptop) and only stands in on fixed-clock machines that print neither.
  const maxCpuHertz = src.cpuMaxFreq
    ? Number.parseInt(src.cpuMaxFreq, 10) * 1000
    : (cpu.ratedHertz ?? (cpu.mhz ? cpu.mhz * 1e6 : undefined));
  const dmi = [trimNul(src.dmiVendor), trimNul(src.dmiProduct)].filter(Boolean).join(' ');
  const model =
    trimNul(src.dtModel) ?? cpu.boardModel ?? pi?.board ?? (dmi || undefined) ?? cpu.modelName ?? 'unknown';
  const gpus = countGpus(src.nvidiaGpus, src.drmCards);
  const onBattery = hasSystemBattery(src.powerSupplies);
  const nodeClass = classifyNode({
    logicalCpus,
    memoryBytes,
    maxCpuHertz,
    speedScore: opts.speed?.score,
    gpus,
    onBattery,
  });
  return {
    hostname: host.hostname,
    arch: archName(host.machine),
    model,
    os: osName(src.osRelease) ?? host.osName,
    kernel: src.kernelRelease?.trim() ?? host.kernelRelease,
    version: VERSION,
    logicalCpus,
    memoryBytes,
    diskBytes: src.diskBytes,
    gpus,
    maxCpuHertz,
    onBattery,
    speed: opts.speed,
    class: nodeClass,
    tier: opts.tier ?? nodeClass,
  };
}

/**
 * Reads the inventory from the host paths. Everything here is a static fact, read once at start;
 * the speed benchmark runs here too (and again on demand), never during a scrape.
 */
export async function gatherInventory(ctx: CollectorContext, speed?: SpeedScore): Promise<Inventory> {
  const { paths, config } = ctx;
  const [osRelease, gpus, powerSupplies, diskBytes] = await Promise.all([
    readOsRelease(ctx),
    readGpuSources(ctx),
    readPowerSupplies(ctx),
    rootSize(ctx),
  ]);
  // readOptional reads synchronously: awaiting one after another costs nothing.
  return inventoryFrom(
    {
      cpuinfo: await readOptional(procPath(paths, 'cpuinfo')),
      meminfo: await readOptional(procPath(paths, 'meminfo')),
      osRelease,
      kernelRelease: await readOptional(procPath(paths, 'sys/kernel/osrelease')),
      dtModel: await readOptional(sysPath(paths, 'firmware/devicetree/base/model')),
      dmiVendor: await readOptional(sysPath(paths, 'class/dmi/id/sys_vendor')),
      dmiProduct: await readOptional(sysPath(paths, 'class/dmi/id/product_name')),
      cpuMaxFreq: await readOptional(sysPath(paths, 'devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq')),
      ...gpus,
      powerSupplies,
      diskBytes,
    },
    {
      hostname: os.hostname(),
      machine: os.machine(),
      osName: os.type(),
      kernelRelease: os.release(),
      memoryBytes: os.totalmem(),
      logicalCpus: os.availableParallelism(),
    },
    { tier: config.tier, speed },
  );
}

async function readOsRelease(ctx: CollectorContext): Promise<string | undefined> {
  return (
    (await readOptional(rootfsPath(ctx.paths, 'etc/os-release'))) ??
    (await readOptional(rootfsPath(ctx.paths, 'usr/lib/os-release')))
  );
}

/** PRETTY_NAME (else NAME) of an os-release file. */
function osName(osRelease: string | undefined): string | undefined {
  if (!osRelease) return undefined;
  const fields = parseOsRelease(osRelease);
  return fields.PRETTY_NAME ?? fields.NAME;
}

async function readGpuSources(
  ctx: CollectorContext,
): Promise<Pick<InventorySources, 'nvidiaGpus' | 'drmCards'>> {
  const nvidia = (await readSysfsClass(procPath(ctx.paths, 'driver/nvidia/gpus'), /./, () => false)) ?? [];
  const cards = (await readSysfsClass(sysPath(ctx.paths, 'class/drm'), /^card\d+$/, () => false)) ?? [];
  const pci = await Promise.all(
    cards.map((card) =>
      readSysfsAttributes(path.join(card.path, 'device'), (f) => f === 'vendor' || f === 'class'),
    ),
  );
  return {
    nvidiaGpus: nvidia.length,
    drmCards: pci.map((d) => d && { vendor: d.values.get('vendor'), class: d.values.get('class') }),
  };
}

/** NVIDIA's driver lists its GPUs in procfs; AMD discrete cards are display-class PCI devices. */
function countGpus(nvidia: number, cards: InventorySources['drmCards']): number {
  const amd = cards.filter(
    (d) => d?.vendor?.trim() === '0x1002' && d.class?.trim().startsWith('0x03'),
  ).length;
  return nvidia + amd;
}

async function readPowerSupplies(ctx: CollectorContext): Promise<InventorySources['powerSupplies']> {
  const supplies =
    (await readSysfsClass(
      sysPath(ctx.paths, 'class/power_supply'),
      /./,
      (f) => f === 'type' || f === 'scope',
    )) ?? [];
  return supplies.map((s) => ({ type: s.values.get('type'), scope: s.values.get('scope') }));
}

/** A laptop's battery has scope System (or none); a wireless mouse's has scope Device. */
function hasSystemBattery(supplies: InventorySources['powerSupplies']): boolean {
  return supplies.some((s) => s.type?.trim() === 'Battery' && s.scope?.trim() !== 'Device');
}

async function rootSize(ctx: CollectorContext): Promise<number | undefined> {
  try {
    const s = await statfs(rootfsPath(ctx.paths, '/'));
    return s.blocks * s.bsize;
  } catch {
    return undefined;
  }
}

/** Holds the inventory for the agent's lifetime and re-measures CPU speed on demand. */
export class InventoryService {
  private inventory: Inventory | undefined;

  constructor(private readonly ctx: CollectorContext) {}

  async refresh(): Promise<Inventory> {
    const { enabled, runs } = this.ctx.config.speed_score;
    const speed = enabled ? await measureSpeedScore(runs) : undefined;
    this.inventory = await gatherInventory(this.ctx, speed);
    this.ctx.log.info(
      { class: this.inventory.class, tier: this.inventory.tier, speedScore: speed?.score },
      'inventory gathered',
    );
    return this.inventory;
  }

  current(): Inventory | undefined {
    return this.inventory;
  }
}
