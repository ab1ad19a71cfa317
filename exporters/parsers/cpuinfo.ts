/**
 * /proc/cpuinfo across the tiers: x86 ("model name", "cpu MHz", "flags"), 32-bit ARM ("Hardware",
 * "CPU architecture: 7") and 64-bit Raspberry Pi kernels (no model name; "Model" at the end).
 */
export interface CpuInfo {
  logicalCpus: number;
  /** Distinct physical packages where the kernel says (x86 "physical id"). */
  sockets?: number;
  modelName?: string;
  vendor?: string;
  /** Current clock of the first CPU as the kernel last saw it (x86 only): an idle laptop says 800. */
  mhz?: number;
  /** The rated clock printed in the model name ("… CPU @ 1.90GHz", "Pentium(R) 4 CPU 3.40GHz"). */
  ratedHertz?: number;
  flags: string[];
  /** ARM "CPU architecture" (7 = ARMv7, 8 = ARMv8). */
  armArchitecture?: number;
  hardware?: string;
  /** Raspberry Pi board revision code (hex), e.g. "d03115". */
  revision?: string;
  /** Raspberry Pi kernels print the board model ("Raspberry Pi 4 Model B Rev 1.5"). */
  boardModel?: string;
}

const RATED_CLOCK = /(\d+(?:\.\d+)?)\s*([GM])Hz\b/;

export function parseCpuinfo(text: string): CpuInfo {
  const info: CpuInfo = { logicalCpus: 0, flags: [] };
  const packages = new Set<string>();
  for (const line of text.split('\n')) {
    const sep = line.indexOf(':');
    if (sep < 0) continue;
    const key = line.slice(0, sep).trim();
    const value = line.slice(sep + 1).trim();
    switch (key) {
      case 'processor':
        // Old ARM kernels print "Processor : ARMv6-compatible…" once, as a name, not an index.
        if (/^\d+$/.test(value)) info.logicalCpus++;
        else info.modelName ??= value;
        break;
      case 'model name':
        info.modelName ??= value;
        break;
      case 'vendor_id':
        info.vendor ??= value;
        break;
      case 'cpu MHz':
        info.mhz ??= Number.parseFloat(value);
        break;
      case 'flags':
      case 'Features':
        if (info.flags.length === 0) info.flags = value.split(/\s+/).filter(Boolean);
        break;
      case 'physical id':
        packages.add(value);
        break;
      case 'CPU architecture': {
        const arch = Number.parseInt(value, 10);
        if (Number.isFinite(arch)) info.armArchitecture ??= arch;
        break;
      }
      case 'Hardware':
        info.hardware = value;
        break;
      case 'Revision':
        info.revision = value;
        break;
      case 'Model':
        info.boardModel = value;
        break;
    }
  }
  if (info.logicalCpus === 0 && (info.modelName || info.hardware)) info.logicalCpus = 1;
  const rated = info.modelName ? RATED_CLOCK.exec(info.modelName) : null;
  if (rated) info.ratedHertz = Number.parseFloat(rated[1] as string) * (rated[2] === 'G' ? 1e9 : 1e6);
  if (packages.size > 0) info.sockets = packages.size;
  return info;
}

export interface PiRevision {
  board: string;
  memoryBytes: number;
  soc: string;
}

const PI_MEMORY_MIB = [256, 512, 1024, 2048, 4096, 8192, 16384];
const PI_SOCS = ['BCM2835', 'BCM2836', 'BCM2837', 'BCM2711', 'BCM2712'];
const PI_BOARDS: Record<number, string> = {
  0: 'Raspberry Pi 1 Model A',
  1: 'Raspberry Pi 1 Model B',
  2: 'Raspberry Pi 1 Model A+',
  3: 'Raspberry Pi 1 Model B+',
  4: 'Raspberry Pi 2 Model B',
  6: 'Raspberry Pi Compute Module 1',
  8: 'Raspberry Pi 3 Model B',
  9: 'Raspberry Pi Zero',
  10: 'Raspberry Pi Compute Module 3',
  12: 'Raspberry Pi Zero W',
  13: 'Raspberry Pi 3 Model B+',
  14: 'Raspberry Pi 3 Model A+',
  16: 'Raspberry Pi Compute Module 3+',
  17: 'Raspberry Pi 4 Model B',
  18: 'Raspberry Pi Zero 2 W',
  19: 'Raspberry Pi 400',
  20: 'Raspberry Pi Compute Module 4',
  21: 'Raspberry Pi Compute Module 4S',
  23: 'Raspberry Pi 5',
  24: 'Raspberry Pi Compute Module 5',
  25: 'Raspberry Pi 500',
  26: 'Raspberry Pi Compute Module 5 Lite',
};

/**
 * Decodes a new-style Raspberry Pi revision code (bit 23 set), which carries the board type, SoC and
 * memory size. Useful where only /proc/cpuinfo is readable (an SSH probe, a container without /sys).
 */
export function decodePiRevision(revision: string): PiRevision | undefined {
  const code = Number.parseInt(revision, 16);
  if (!Number.isFinite(code) || (code & (1 << 23)) === 0) return undefined;
  const board = PI_BOARDS[(code >> 4) & 0xff];
  const mib = PI_MEMORY_MIB[(code >> 20) & 0x7];
  const soc = PI_SOCS[(code >> 12) & 0xf];
  if (!board || !mib || !soc) return undefined;
  return { board, memoryBytes: mib * 1024 * 1024, soc };
}
