import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PowerPoint } from './fit.ts';

/**
 * Spins a CPU for `level` of every 100 ms slice and sleeps the rest, until told to stop. One per CPU;
 * Atomics.wait sleeps without a timer, so an idle slice costs nothing.
 */
const SPINNER = `
const { workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData.flag);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let x = 0;
while (Atomics.load(flag, 0) === 0) {
  const start = performance.now();
  const busyMs = 100 * workerData.level;
  while (performance.now() - start < busyMs) x = (x * 1103515245 + 12345) | 0;
  const rest = 100 - (performance.now() - start);
  if (rest > 0) Atomics.wait(sleeper, 0, 0, rest);
}
`;

/** Runs `level` (0–1) of load on every CPU until the returned function is called. */
export function driveLoad(level: number, cpus = os.availableParallelism()): () => Promise<void> {
  if (level <= 0) return async () => {};
  const flag = new SharedArrayBuffer(4);
  const workers = Array.from(
    { length: cpus },
    () => new Worker(SPINNER, { eval: true, workerData: { flag, level: Math.min(1, level) } }),
  );
  return async () => {
    Atomics.store(new Int32Array(flag), 0, 1);
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  };
}

export interface Meter {
  /** The measured source's energy counter, joules (monotonic). */
  joules(): Promise<number>;
  /** CPU busy and total seconds since boot, over all CPUs (iowait counted idle). */
  cpuSeconds(): Promise<{ busy: number; total: number }>;
}

export interface LoadStepOptions {
  levels: number[];
  stepSeconds: number;
  /** Left out of each step's measurement while the load and the sensor settle. */
  settleSeconds: number;
  meter: Meter;
  /** How often the meter is read during a step (sources that integrate power need regular readings). */
  sampleMs?: number;
  onStep?: (step: { level: number; index: number; of: number; point?: PowerPoint }) => void;
  /** CPUs to load (default all); utilisation is still measured over all of them. */
  cpus?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drives the machine through load levels and measures, per level, the mean power (energy over time,
 * after settling) and the CPU utilisation actually reached over the same interval: the points a
 * profile is fitted to.
 */
export async function runLoadSteps(opts: LoadStepOptions): Promise<PowerPoint[]> {
  const { meter, sampleMs = 1000 } = opts;
  const points: PowerPoint[] = [];
  for (const [index, level] of opts.levels.entries()) {
    opts.onStep?.({ level, index, of: opts.levels.length });
    const stop = driveLoad(level, opts.cpus);
    try {
      const settleUntil = Date.now() + opts.settleSeconds * 1000;
      while (Date.now() < settleUntil) {
        // A source may need a reading or two before it counts energy; settling gives it those.
        await meter.joules().catch(() => undefined);
        await sleep(Math.min(sampleMs, Math.max(0, settleUntil - Date.now())));
      }
      const j0 = await meter.joules();
      const c0 = await meter.cpuSeconds();
      const t0 = performance.now();
      const end = t0 + (opts.stepSeconds - opts.settleSeconds) * 1000;
      while (performance.now() < end) {
        await sleep(Math.min(sampleMs, Math.max(0, end - performance.now())));
        await meter.joules();
      }
      const j1 = await meter.joules();
      const c1 = await meter.cpuSeconds();
      const seconds = (performance.now() - t0) / 1000;
      const point = {
        utilisation: (c1.busy - c0.busy) / (c1.total - c0.total),
        watts: (j1 - j0) / seconds,
      };
      points.push(point);
      opts.onStep?.({ level, index, of: opts.levels.length, point });
    } finally {
      await stop();
    }
  }
  return points;
}
