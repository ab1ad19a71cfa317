import { describe, expect, it } from 'vitest';
import { cpuRequestCores, memoryRequestBytes } from './rightsizing.ts';
import { machineSchema, workloadSchema } from './scenario.ts';

const MIB = 1024 ** 2;
const machine = (speed_score: number) =>
  machineSchema.parse({
    name: 'm',
    tier: 't',
    arch: 'amd64',
    cpu_cores: 4,
    speed_score,
    memory_bytes: 8 * 1024 * MIB,
    power: { idle_watts: 5, max_watts: 20, source: 'profile' },
  });
const workload = (p95: number, maxBytes = 0) =>
  workloadSchema.parse({
    name: 'w',
    kind: 'service',
    machine: 'm',
    cpu: { mean: p95 / 2, p95, max: p95 },
    memory: { p95_bytes: maxBytes, max_bytes: maxBytes },
  });

describe('cpuRequestCores', () => {
  it('is the p95 in cores of the target machine, up to the next 0.05 core', () => {
    expect(cpuRequestCores(workload(20), machine(200))).toBe(0.1); // 20 / 200 exactly, not one step more
    expect(cpuRequestCores(workload(11), machine(100))).toBe(0.15);
    expect(cpuRequestCores(workload(30), machine(40))).toBe(0.75); // a Pi's core does less
    expect(cpuRequestCores(workload(0), machine(100))).toBe(0.01);
  });
});

describe('memoryRequestBytes', () => {
  it('is the peak plus the margin, up to the next MiB', () => {
    expect(memoryRequestBytes(workload(1, 1000 * MIB), 0.1)).toBe(1100 * MIB);
    expect(memoryRequestBytes(workload(1, 1), 0)).toBe(MIB);
    expect(memoryRequestBytes(workload(1, 0), 0.1)).toBe(0);
  });
});
