/**
 * A short, deterministic single-core CPU micro-benchmark, so that "one core busy" on a Pi 3 and on a
 * Ryzen can be put on one scale. The kernel mixes what typical homelab services do on a CPU: integer
 * arithmetic, data-dependent branches and loads/stores over a 256 KiB table (it fits in L2 on every
 * tier, so it measures the core and its caches, not DRAM). It runs in V8's optimising JIT like the
 * agent itself, so a figure compares cores for JIT-compiled and native code alike, not SIMD or
 * crypto-accelerated work.
 *
 * Score = millions of kernel iterations per second on one core, best of several runs (the best run is
 * the one least disturbed by other work on the machine).
 */

const TABLE_WORDS = 64 * 1024;
export const ITERATIONS_PER_RUN = 2_000_000;

/** The checksum the kernel must produce; a different value means the work was not done as written. */
export const EXPECTED_CHECKSUM = 3_397_225_196;

export function runKernel(iterations: number): number {
  const table = new Int32Array(TABLE_WORDS);
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < TABLE_WORDS; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    table[i] = x;
  }
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const idx = (x >>> 0) & (TABLE_WORDS - 1);
    const v = table[idx] as number;
    if ((v & 3) === 0) acc = (acc + v) | 0;
    else acc = Math.imul(acc ^ v, 0x01000193);
    table[idx] = v + i;
  }
  return acc >>> 0;
}

export interface SpeedScore {
  score: number;
  runs: number;
  bestRunSeconds: number;
  measuredAt: Date;
}

/**
 * Runs the kernel `runs` times, yielding to the event loop between runs so an agent that measures
 * itself keeps answering scrapes.
 */
export async function measureSpeedScore(runs: number): Promise<SpeedScore> {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const start = process.hrtime.bigint();
    const checksum = runKernel(ITERATIONS_PER_RUN);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (checksum !== EXPECTED_CHECKSUM) {
      throw new Error(`speed benchmark produced checksum ${checksum}, expected ${EXPECTED_CHECKSUM}`);
    }
    best = Math.min(best, seconds);
  }
  return {
    score: ITERATIONS_PER_RUN / best / 1e6,
    runs,
    bestRunSeconds: best,
    measuredAt: new Date(),
  };
}
