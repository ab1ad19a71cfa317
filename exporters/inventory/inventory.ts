import { statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VERSION } from '../../common/version.ts';
import { type CollectorContext, procPath, readOptional, rootfsPath, sysPath } from '../collector.ts';
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
 * Reads the inventory from the host paths. Everything here is a static fact, read once at start;
 * the speed benchmark runs here too (and again on demand), never during a scrape.
 */
export async function gatherInventory(ctx: CollectorContext, speed?: SpeedScore): Promise<Inventory> {
  const { paths, config } = ctx;
  const [cpuinfoText, meminfoText, osRelease, kernel, dtModel, dmiVendor, dmiProduct, maxFreq] =
    await Promise.all([
      readOptional(procPath(paths, 'cpuinfo')),
      readOptional(procPath(paths, 'meminfo')),
      readOsRelease(ctx),
      readOptional(procPath(paths, 'sys/kernel/osrelease')),
      readOptional(sysPath(paths, 'firmware/devicetree/base/model')),
      readOptional(sysPath(paths, 'class/dmi/id/sys_vendor')),
      readOptional(sysPath(paths, 'class/dmi/id/product_name')),
      readOptional(sysPath(paths, 'devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq')),
    ]);
  const cpu = parseCpuinfo(cpuinfoText ?? '');
  const pi = cpu.revision ? decodePiRevision(cpu.revision) : undefined;
  const memTotal = meminfoText
    ? parseMeminfo(meminfoText).find((e) => e.key === 'MemTotal_bytes')?.value
    : undefined;
  const memoryBytes = memTotal ?? pi?.memoryBytes ?? os.totalmem();
  const logicalCpus = cpu.logicalCpus || os.availableParallelism();
  // cpufreq's maximum, else the rated clock in the model name; x86's "cpu MHz" is the current clock
  // (800 on an idle laptop) and only stands in on fixed-clock machines that print neither.
  const maxCpuHertz = maxFreq
    ? Number.parseInt(maxFreq, 10) * 1000
    : (cpu.ratedHertz ?? (cpu.mhz ? cpu.mhz * 1e6 : undefined));
  const dmi = [trimNul(dmiVendor), trimNul(dmiProduct)].filter(Boolean).join(' ');
  const model =
    trimNul(dtModel) ?? cpu.boardModel ?? pi?.board ?? (dmi || undefined) ?? cpu.modelName ?? 'unknown';
  const [gpus, onBattery, diskBytes] = await Promise.all([
    countGpus(ctx),
    hasSystemBattery(ctx),
    rootSize(ctx),
  ]);
  const nodeClass = classifyNode({
    logicalCpus,
    memoryBytes,
    maxCpuHertz,
    speedScore: speed?.score,
    gpus,
    onBattery,
  });
  return {
    hostname: os.hostname(),
    arch: archName(os.machine()),
    model,
    os: osRelease ?? os.type(),
    kernel: kernel?.trim() ?? os.release(),
    version: VERSION,
    logicalCpus,
    memoryBytes,
    diskBytes,
    gpus,
    maxCpuHertz,
    onBattery,
    speed,
    class: nodeClass,
    tier: config.tier ?? nodeClass,
  };
}

async function readOsRelease(ctx: CollectorContext): Promise<string | undefined> {
  const text =
    (await readOptional(rootfsPath(ctx.paths, 'etc/os-release'))) ??
    (await readOptional(rootfsPath(ctx.paths, 'usr/lib/os-release')));
  if (!text) return undefined;
  const fields = parseOsRelease(text);
  return fields.PRETTY_NAME ?? fields.NAME;
}

/** NVIDIA's driver lists its GPUs in procfs; AMD discrete cards are display-class PCI devices. */
async function countGpus(ctx: CollectorContext): Promise<number> {
  const nvidia = (await readSysfsClass(procPath(ctx.paths, 'driver/nvidia/gpus'), /./, () => false)) ?? [];
  const cards = (await readSysfsClass(sysPath(ctx.paths, 'class/drm'), /^card\d+$/, () => false)) ?? [];
  const pci = await Promise.all(
    cards.map((card) =>
      readSysfsAttributes(path.join(card.path, 'device'), (f) => f === 'vendor' || f === 'class'),
    ),
  );
  const amd = pci.filter(
    (d) => d?.values.get('vendor')?.trim() === '0x1002' && d.values.get('class')?.trim().startsWith('0x03'),
  ).length;
  return nvidia.length + amd;
}

/** A laptop's battery has scope System (or none); a wireless mouse's has scope Device. */
async function hasSystemBattery(ctx: CollectorContext): Promise<boolean> {
  const supplies =
    (await readSysfsClass(
      sysPath(ctx.paths, 'class/power_supply'),
      /./,
      (f) => f === 'type' || f === 'scope',
    )) ?? [];
  return supplies.some(
    (s) => s.values.get('type')?.trim() === 'Battery' && s.values.get('scope')?.trim() !== 'Device',
  );
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
