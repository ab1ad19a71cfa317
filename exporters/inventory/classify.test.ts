import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { decodePiRevision, parseCpuinfo } from '../parsers/cpuinfo.ts';
import { type ClassFacts, classifyNode } from './classify.ts';

const GiB = 1024 ** 3;
const base: ClassFacts = { logicalCpus: 4, memoryBytes: 4 * GiB, gpus: 0, onBattery: false };

describe('classifyNode', () => {
  it('puts a single-core Raspberry Pi 1 (700 MHz, 512 MB) in ultra-low', () => {
    const cpu = parseCpuinfo(readFixture('raspberry-pi/proc/pi1-model-b_000d_armv6_cpuinfo.txt'));
    expect(
      classifyNode({ ...base, logicalCpus: cpu.logicalCpus, memoryBytes: 512e6, maxCpuHertz: 700e6 }),
    ).toBe('ultra-low');
  });

  it('puts a Pentium II with 64 MB in ultra-low', () => {
    expect(classifyNode({ ...base, logicalCpus: 1, memoryBytes: 64 * 1024 ** 2, maxCpuHertz: 350e6 })).toBe(
      'ultra-low',
    );
  });

  it('puts an 8 GB Raspberry Pi 4 in legacy: enough memory, but slow cores', () => {
    const cpu = parseCpuinfo(readFixture('raspberry-pi/proc/pi4b-rev1.5_d03115_aarch64_cpuinfo.txt'));
    const memoryBytes = decodePiRevision(cpu.revision ?? '')?.memoryBytes ?? 0;
    expect(
      classifyNode({
        ...base,
        logicalCpus: cpu.logicalCpus,
        memoryBytes,
        maxCpuHertz: 1.8e9,
        speedScore: 25,
      }),
    ).toBe('legacy');
  });

  it('puts a 32-bit Pentium 4 with 2 GB in legacy', () => {
    const cpu = parseCpuinfo(readFixture('proc-sys/i386-dell-pe700-pentium4/proc/cpuinfo'));
    expect(
      classifyNode({ ...base, logicalCpus: cpu.logicalCpus, memoryBytes: 2 * GiB, maxCpuHertz: 3.4e9 }),
    ).toBe('legacy');
  });

  it('puts any machine with a GPU, or a fast many-core one, in modern', () => {
    expect(classifyNode({ ...base, gpus: 1 })).toBe('modern');
    const cpu = parseCpuinfo(readFixture('proc-sys/x86-quad-socket/proc/cpuinfo'));
    expect(
      classifyNode({ ...base, logicalCpus: cpu.logicalCpus, memoryBytes: 64 * GiB, speedScore: 90 }),
    ).toBe('modern');
    expect(classifyNode({ ...base, memoryBytes: 16 * GiB, speedScore: 30 })).toBe('legacy');
  });

  it('puts a laptop on battery in portable whatever its speed', () => {
    expect(classifyNode({ ...base, memoryBytes: 16 * GiB, speedScore: 150, onBattery: true })).toBe(
      'portable',
    );
  });
});
