import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { decodePiRevision, parseCpuinfo } from './cpuinfo.ts';

describe('parseCpuinfo', () => {
  it('reads a 64-bit Raspberry Pi 4 (no model name, board model at the end)', () => {
    const info = parseCpuinfo(readFixture('raspberry-pi/proc/pi4b-rev1.5_d03115_aarch64_cpuinfo.txt'));
    expect(info.logicalCpus).toBe(4);
    expect(info.modelName).toBeUndefined();
    expect(info.armArchitecture).toBe(8);
    expect(info.revision).toBe('d03115');
    expect(info.boardModel).toBe('Raspberry Pi 4 Model B Rev 1.5');
  });

  it('reads a single-core ARMv6 Raspberry Pi 1', () => {
    const info = parseCpuinfo(readFixture('raspberry-pi/proc/pi1-model-b_000d_armv6_cpuinfo.txt'));
    expect(info.logicalCpus).toBe(1);
    expect(info.modelName).toBe('ARMv6-compatible processor rev 7 (v6l)');
    expect(info.hardware).toBe('BCM2835');
    expect(info.revision).toBe('000d');
  });

  it('reads a 32-bit Pentium 4 with hyper-threading', () => {
    const info = parseCpuinfo(readFixture('proc-sys/i386-dell-pe700-pentium4/proc/cpuinfo'));
    expect(info.logicalCpus).toBe(2);
    expect(info.modelName).toMatch(/Pentium\(R\) 4 CPU 3\.40GHz/);
    expect(info.vendor).toBe('GenuineIntel');
    expect(info.flags).toContain('sse2');
    expect(info.mhz).toBeGreaterThan(3000);
    expect(info.ratedHertz).toBe(3.4e9);
  });

  it('counts sockets on a quad-socket Xeon', () => {
    const info = parseCpuinfo(readFixture('proc-sys/x86-quad-socket/proc/cpuinfo'));
    expect(info.logicalCpus).toBe(48);
    expect(info.sockets).toBe(4);
    expect(info.modelName).toMatch(/E5-4607/);
    expect(info.ratedHertz).toBe(2.2e9);
  });

  it('returns zero CPUs for empty input rather than inventing one', () => {
    expect(parseCpuinfo('').logicalCpus).toBe(0);
  });
});

describe('decodePiRevision', () => {
  it('decodes the 8 GB and 4 GB Pi 4 rev 1.5 codes seen on real boards', () => {
    expect(decodePiRevision('d03115')).toEqual({
      board: 'Raspberry Pi 4 Model B',
      memoryBytes: 8 * 1024 ** 3,
      soc: 'BCM2711',
    });
    expect(decodePiRevision('c03115')?.memoryBytes).toBe(4 * 1024 ** 3);
  });

  it('leaves old-style codes (Pi 1 "000d") undecoded', () => {
    expect(decodePiRevision('000d')).toBeUndefined();
  });
});
