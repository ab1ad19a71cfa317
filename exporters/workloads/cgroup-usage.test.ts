import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixturePath, tempTree } from '../../test/support/fixtures.ts';
import { readOptionalSync } from '../collector.ts';
import { type CgroupUsage, readCgroupV1, readCgroupV2 } from './cgroup-usage.ts';

// Only the PSI test below replaces it: a kernel's EOPNOTSUPP cannot be made with ordinary files.
vi.mock('../collector.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../collector.ts')>();
  return { ...actual, readOptionalSync: vi.fn(actual.readOptionalSync) };
});

afterEach(() => {
  vi.mocked(readOptionalSync).mockReset();
});

const K8S_V1 = fixturePath('cgroup/v1_k8s-containerd-container_amzn2');

// Expected values worked out from the fixture files: µs / 1e6, ns / 1e9, USER_HZ ticks / 100; working set
// = current − inactive_file; I/O summed over the io.stat lines. PSI totals are as parsePressure gives
// them (µs / 1000 / 1000, as node_exporter), hence the odd last digits.
describe('readCgroupV2', () => {
  it('reads the docker container scope', async () => {
    expect(readCgroupV2(fixturePath('cgroup/v2_docker-container-scope'))).toStrictEqual<CgroupUsage>({
      cpuSeconds: 26772.130245,
      cpuUserSeconds: 20979.069928,
      cpuSystemSeconds: 5793.060316,
      throttledPeriods: 4, // more than nr_periods (1): the fixture was edited by hand
      throttledSeconds: 0.00001,
      memoryBytes: 9125888,
      workingSetBytes: 8855552, // 9125888 − 270336
      ioReadBytes: 1536, // 512 + 1024
      ioWriteBytes: 8192, // 4096 + 4096
      pressure: {
        cpu: { some: 1.6763160000000001 },
        io: { some: 1.154482, full: 1.154482 },
        memory: { some: 0, full: 0 },
      },
    });
  });

  it('reads system.slice', async () => {
    expect(readCgroupV2(fixturePath('cgroup/v2_system.slice'))).toStrictEqual<CgroupUsage>({
      cpuSeconds: 738173.847375,
      cpuUserSeconds: 512367.519674,
      cpuSystemSeconds: 225806.327701,
      throttledPeriods: 0,
      throttledSeconds: 0,
      memoryBytes: 11583053824,
      workingSetBytes: 4978024448, // 11583053824 − 6605029376
      // 252:0, 8:0 and 253:0; 253:0 is a device-mapper volume, so its bytes are also in 8:0's.
      ioReadBytes: 29189375488, // 4096 + 14598439936 + 14590931456
      ioWriteBytes: 1227613943296, // 4096 + 613809529856 + 613804409344
      pressure: {
        cpu: { some: 2798.96717 },
        io: { some: 105.68078999999999, full: 103.282599 },
        memory: { some: 0, full: 0 },
      },
    });
  });

  it('reads the kernel-6 user session scope, which has pids but no io controller', async () => {
    expect(readCgroupV2(fixturePath('cgroup/v2_user-session-scope_kernel6'))).toStrictEqual<CgroupUsage>({
      cpuSeconds: 3611.347518,
      cpuUserSeconds: 2915.072455,
      cpuSystemSeconds: 696.275063,
      throttledPeriods: 0,
      throttledSeconds: 0,
      memoryBytes: 10498404352,
      workingSetBytes: 3812655104, // 10498404352 − 6685749248
      pids: 148,
      pressure: {
        cpu: { some: 115.05606399999999, full: 29.25418 },
        io: { some: 10.748370000000001, full: 7.726267 },
        memory: { some: 1.736583, full: 1.6773689999999999 },
      },
    });
  });

  it('gives no fields for a directory without files, or one removed since the walk', async () => {
    const dir = await tempTree('cgroup-empty', {});
    expect(readCgroupV2(dir)).toStrictEqual({});
    expect(readCgroupV2(`${dir}/gone.scope`)).toStrictEqual({});
  });

  it('reads only the CPU times of a cpu.stat without the cpu controller (no throttling keys)', async () => {
    const dir = await tempTree('cgroup-cpu', {
      'cpu.stat': 'usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\n',
    });
    expect(readCgroupV2(dir)).toStrictEqual({ cpuSeconds: 3, cpuUserSeconds: 2, cpuSystemSeconds: 1 });
  });

  it('floors the working set at 0 and leaves it out without inactive_file; reads a set memory.max', async () => {
    const dir = await tempTree('cgroup-memory', {
      'a/memory.current': '100\n',
      'a/memory.stat': 'anon 0\ninactive_file 200\n',
      'a/memory.max': '1073741824\n',
      'b/memory.current': '100\n',
      'b/memory.stat': 'anon 100\n',
    });
    expect(readCgroupV2(`${dir}/a`)).toStrictEqual({
      memoryBytes: 100,
      workingSetBytes: 0,
      memoryLimitBytes: 1073741824,
    });
    expect(readCgroupV2(`${dir}/b`)).toStrictEqual({ memoryBytes: 100 });
  });

  it('reads an empty io.stat (io controller, no I/O yet) as 0, unlike a missing one', async () => {
    const dir = await tempTree('cgroup-io', { 'io.stat': '' });
    expect(readCgroupV2(dir)).toStrictEqual({ ioReadBytes: 0, ioWriteBytes: 0 });
  });

  it('throws on a malformed cpu.stat, naming the file', async () => {
    const dir = await tempTree('cgroup-bad', { 'cpu.stat': 'usage_usec 12x\n' });
    expect(() => readCgroupV2(dir)).toThrow(
      `${dir}/cpu.stat usage_usec: expected an unsigned integer, got "12x"`,
    );
  });

  it('has no pressure when PSI is off: files that fail with ENOTSUP (Linux < 6.1) or no cpu.pressure', async () => {
    const dir = fixturePath('cgroup/v2_user-session-scope_kernel6');
    const { readOptionalSync: realRead } =
      await vi.importActual<typeof import('../collector.ts')>('../collector.ts');
    vi.mocked(readOptionalSync).mockImplementation((file) => {
      if (file.endsWith('.pressure')) throw Object.assign(new Error('ENOTSUP, read'), { code: 'ENOTSUP' });
      return realRead(file);
    });
    const usage = readCgroupV2(dir);
    expect(usage).not.toHaveProperty('pressure');
    expect(usage.pids).toBe(148);

    const withoutCpuPressure = await tempTree('cgroup-psi', {
      'io.pressure': 'some total=1\nfull total=1\n',
    });
    vi.mocked(readOptionalSync).mockReset();
    expect(readCgroupV2(withoutCpuPressure)).toStrictEqual({});
  });

  it('passes on other read errors', async () => {
    vi.mocked(readOptionalSync).mockImplementation(() => {
      throw Object.assign(new Error('EIO, read'), { code: 'EIO' });
    });
    expect(() => readCgroupV2(fixturePath('cgroup/v2_system.slice'))).toThrow('EIO');
  });
});

describe('readCgroupV1', () => {
  it('reads the k8s containerd container, whose cpu/ holds both cpu.* and cpuacct.*', async () => {
    const usage = readCgroupV1({
      cpu: `${K8S_V1}/cpu`,
      cpuacct: `${K8S_V1}/cpu`,
      memory: `${K8S_V1}/memory`,
      blkio: `${K8S_V1}/blkio`,
    });
    expect(usage).toStrictEqual<CgroupUsage>({
      cpuSeconds: 124659.500367, // 124659500367000 ns
      cpuUserSeconds: 108488.91, // 10848891 ticks
      cpuSystemSeconds: 15165.02, // 1516502 ticks
      throttledPeriods: 0,
      throttledSeconds: 0,
      memoryBytes: 1215860736,
      workingSetBytes: 1137303552, // 1215860736 − total_inactive_file 78557184
      memoryLimitBytes: 2147483648,
      ioReadBytes: 3448832,
      ioWriteBytes: 25203200,
    });
  });

  it('reads pids.current, and an unlimited v1 memory limit as absent', async () => {
    const dir = await tempTree('cgroup-v1', {
      'pids/pids.current': '7\n',
      'memory/memory.usage_in_bytes': '4096\n',
      'memory/memory.limit_in_bytes': '9223372036854771712\n',
    });
    expect(readCgroupV1({ pids: `${dir}/pids`, memory: `${dir}/memory` })).toStrictEqual({
      pids: 7,
      memoryBytes: 4096,
    });
  });

  it('gives no fields without directories, or for directories without files', async () => {
    expect(readCgroupV1({})).toStrictEqual({});
    const dir = await tempTree('cgroup-v1-empty', {});
    expect(
      readCgroupV1({ cpuacct: dir, cpu: dir, memory: dir, blkio: dir, pids: `${dir}/gone` }),
    ).toStrictEqual({});
  });

  it('throws on a malformed cpu.stat, naming the file', async () => {
    const dir = await tempTree('cgroup-v1-bad', { 'cpu.stat': 'nr_periods 1\nnr_throttled\n' });
    expect(() => readCgroupV1({ cpu: dir })).toThrow(
      `${dir}/cpu.stat: expected "key value", got "nr_throttled"`,
    );
  });
});
