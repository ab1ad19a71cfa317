import { describe, expect, it } from 'vitest';
import { machineSchema, workloadSchema } from './scenario.ts';
import { usedCores, workloadUsage } from './usage.ts';

const machine = machineSchema.parse({
  name: 'pi',
  tier: 'edge',
  arch: 'arm64',
  cpu_cores: 4,
  speed_score: 0.5,
  memory_bytes: 4e9,
  power: { idle_watts: 3, max_watts: 8, source: 'profile' },
});
const workload = (extra: object) =>
  workloadSchema.parse({
    name: 'dns',
    kind: 'service',
    machine: 'pi',
    cpu: { mean: 0.1, p95: 0.2, max: 0.4 },
    memory: { p95_bytes: 5e7, max_bytes: 6e7 },
    ...extra,
  });

describe('workloadUsage', () => {
  it('reads its series as they are, nulls included', () => {
    const usage = workloadUsage(
      workload({ cpu_cores: [0.2, null], memory_bytes: [null, 4e7], gpu_watts: [5] }),
      machine,
      2,
    );
    expect(usage).toEqual({ cores: [0.2, null], gpu_watts: [5, null], memory_bytes: [null, 4e7] });
  });

  it('stands its summary figures in for a series it lacks: mean score-cores over the speed score, p95 memory', () => {
    // 0.1 score-cores on a machine scoring 0.5 is 0.2 of its cores.
    expect(workloadUsage(workload({}), machine, 2)).toEqual({
      cores: [0.2, 0.2],
      gpu_watts: [null, null],
      memory_bytes: [5e7, 5e7],
    });
  });
});

describe('usedCores', () => {
  it('sums the workloads seen at each step, null where none was', () => {
    const usages = [
      { cores: [1, null, null], gpu_watts: [], memory_bytes: [] },
      { cores: [0.5, 2, null], gpu_watts: [], memory_bytes: [] },
    ];
    expect(usedCores(usages, 3)).toEqual([1.5, 2, null]);
  });
});
