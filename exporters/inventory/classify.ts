/**
 * The capability classes of ARCHITECTURE.md, decided from measured facts. The thresholds are the
 * documented contract (docs/inventory.md); the owner's own grouping is `tier`, which defaults to this.
 */
export type NodeClass = 'ultra-low' | 'legacy' | 'modern' | 'portable';

export interface ClassFacts {
  logicalCpus: number;
  memoryBytes: number;
  /** Highest clock the CPU reaches, when the kernel says (cpufreq, or cpuinfo MHz on x86). */
  maxCpuHertz?: number;
  /** Single-core speed score (speed-score.ts); absent when the benchmark is disabled. */
  speedScore?: number;
  gpus: number;
  /** A system battery (not a mouse's) is present. */
  onBattery: boolean;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const CLASS_THRESHOLDS = {
  /** Below either of these a machine is ultra-low: a Pi Zero, a Pentium II, a busybox router. */
  ultraLowMaxHertz: 1e9,
  ultraLowMemoryBytes: 512 * MiB,
  /** A machine with a discrete GPU, or this many cores, memory and per-core speed, is modern. */
  modernCores: 4,
  modernMemoryBytes: 8 * GiB,
  /** Roughly a 2015 desktop core on this scale; a Pi 4 core scores well under it. */
  modernSpeedScore: 60,
} as const;

export function classifyNode(facts: ClassFacts): NodeClass {
  const t = CLASS_THRESHOLDS;
  if (facts.onBattery) return 'portable';
  if (
    facts.logicalCpus <= 1 ||
    facts.memoryBytes < t.ultraLowMemoryBytes ||
    (facts.maxCpuHertz !== undefined && facts.maxCpuHertz < t.ultraLowMaxHertz)
  ) {
    return 'ultra-low';
  }
  if (facts.gpus > 0) return 'modern';
  const fastCpu = facts.speedScore === undefined || facts.speedScore >= t.modernSpeedScore;
  if (facts.logicalCpus >= t.modernCores && facts.memoryBytes >= t.modernMemoryBytes && fastCpu) {
    return 'modern';
  }
  return 'legacy';
}
