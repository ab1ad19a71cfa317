import { describe, expect, it } from 'vitest';
import { attribute } from './attribution.ts';
import type { Usage } from './usage.ts';

const usage = (cores: Usage['cores'], gpu_watts: Usage['gpu_watts']): Usage => ({
  cores,
  gpu_watts,
  memory_bytes: cores.map(() => 1),
});

describe('attribute', () => {
  // Idle 40 W; power over four steps, the last with no data.
  const power = [100, 80, 30, null];
  const a = usage([1, 0, null, 1], [80, 20, null, 0]);
  const b = usage([3, 0, null, 1], [40, null, null, 0]);
  const split = attribute(power, 40, [a, b], 'cpu');

  it('caps GPU shares at the power above idle, scaling them together', () => {
    // Step 0: 100 − 40 = 60 W above idle; GPUs ask 80 + 40 = 120, so each gets half: 40 and 20, leaving no
    // CPU power. Step 1: 80 − 40 = 40 W; a's 20 W fits.
    expect(split.workloads.map((w) => w.gpu)).toEqual([
      [40, 20, 0, null],
      [20, 0, 0, null],
    ]);
    expect(split.workloads.map((w) => w.cpu)).toEqual([
      [0, 0, 0, null],
      [0, 0, 0, null],
    ]);
  });

  it('keeps CPU power no workload used as unattributed, and idle draw no one can share on the idle line', () => {
    // Step 1: 40 − 20 (GPU) = 20 W for CPU shares, but both workloads used 0 cores. Step 2: power under
    // idle, so it is all idle draw; no one has CPU data to share it by.
    expect(split.idle_draw).toEqual([40, 40, 30, null]);
    expect(split.unattributed).toEqual([0, 20, 0, null]);
    // Step 0's 40 W of idle shared 1 : 3 by cores.
    expect(split.workloads.map((w) => w.idle)).toEqual([
      [10, 0, 0, null],
      [30, 0, 0, null],
    ]);
    expect(split.idle).toEqual([0, 40, 30, null]);
  });

  it('adds up to the power at every covered step', () => {
    power.forEach((p, i) => {
      const lines = [
        split.idle,
        split.unattributed,
        ...split.workloads.flatMap((w) => [w.cpu, w.gpu, w.idle]),
      ];
      const total = lines.reduce<number | null>(
        (sum, line) => (line[i] === null ? null : (sum ?? 0) + (line[i] ?? 0)),
        0,
      );
      expect(total).toBe(p);
    });
  });
});
