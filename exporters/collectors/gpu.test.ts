import { performance } from 'node:perf_hooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultConfig } from '../../common/config.ts';
import { silentLogger } from '../../common/log.ts';
import { type FakeNvidiaSmi, fakeNvidiaSmi } from '../../test/support/fake-nvidia-smi.ts';
import { contextFor, sampleValue, tempTree } from '../../test/support/fixtures.ts';
import { waitFor } from '../../test/support/processes.ts';
import { Scraper } from '../agent/scrape.ts';
import type { GpuConfig } from '../gpu/config.ts';
import type { MetricFamily } from '../metrics.ts';
import { createGpuCollector, type GpuCollector } from './gpu.ts';

/** Short intervals so the loops turn many times in a test; the code paths are the same as at 5 s. */
const FAST: Partial<GpuConfig> = {
  interval_seconds: 0.1,
  processes_interval_seconds: 60,
  timeout_seconds: 0.5,
  stall_intervals: 3,
  restart_min_seconds: 0.1,
  restart_max_seconds: 0.8,
};

async function standIn(opts: Parameters<typeof fakeNvidiaSmi>[0]): Promise<FakeNvidiaSmi> {
  const fake = await fakeNvidiaSmi(opts);
  onTestFinished(() => fake.remove());
  return fake;
}

function collectorFor(
  gpu: Partial<GpuConfig>,
  opts: { procfs?: string; pathEnv?: string } = {},
): GpuCollector {
  const ctx = contextFor(
    { procfs: opts.procfs ?? '/nonexistent/proc' },
    { gpu: { ...defaultConfig().agent.gpu, ...FAST, ...gpu } },
  );
  const collector = createGpuCollector(ctx, { pathEnv: opts.pathEnv ?? '', resolvers: {} });
  onTestFinished(() => collector.stop());
  return collector;
}

const upFamilies = (c: GpuCollector) =>
  waitFor('a GPU sample', async () => c.collect().catch(() => undefined), 10_000, 20);

async function gpuStatus(c: GpuCollector): Promise<{ up: number; reason?: string; ms: number }> {
  const scraper = new Scraper([{ name: 'gpu', description: '', collector: c }], 8, silentLogger);
  const start = performance.now();
  const { families } = await scraper.scrape();
  const ms = performance.now() - start;
  const up = families.find((f) => f.name === 'tierwise_collector_up')?.samples[0];
  return { up: up?.value ?? Number.NaN, reason: up?.labels.reason, ms };
}

const streamStarts = async (fake: FakeNvidiaSmi) =>
  (await fake.starts()).filter((s) => s.args.startsWith('--query-gpu='));
const pollStarts = async (fake: FakeNvidiaSmi) =>
  (await fake.starts()).filter((s) => !s.args.startsWith('--query-gpu='));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const value = (f: MetricFamily[], name: string, labels: Record<string, string> = {}) =>
  sampleValue(f, name, labels);

describe('gpu collector with a stand-in nvidia-smi replaying real captures', () => {
  it('serves the last complete sample of both GPUs from one long-lived nvidia-smi', async () => {
    const fake = await standIn({ captures: ['rtx4080', 'h100Mig'] });
    const c = collectorFor({ nvidia_smi: fake.bin });
    const f = await upFamilies(c);
    const rtx = {
      gpu: '0',
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      model: 'NVIDIA GeForce RTX 4080 SUPER',
    };
    const h100 = {
      gpu: '1',
      uuid: 'GPU-00000000-0000-0000-0000-000000000001',
      model: 'NVIDIA H100 80GB HBM3',
    };
    expect(value(f, 'tierwise_gpu_power_watts', rtx)).toBe(84.24);
    expect(value(f, 'tierwise_gpu_memory_used_bytes', h100)).toBe(11125 * 2 ** 20);
    expect(value(f, 'tierwise_node_power_watts', { source: 'gpu' })).toBeCloseTo(84.24 + 433.78, 6);
    // [N/A] in the capture: absent, never 0.
    expect(value(f, 'tierwise_gpu_utilization_ratio', h100)).toBeUndefined();
    expect(value(f, 'tierwise_gpu_utilization_ratio', rtx)).toBe(0.07);
    expect(value(f, 'tierwise_gpu_sample_age_seconds')).toBeLessThan(0.3);
    // No captured driver knows total_energy_consumption: refused once, then streamed without it.
    expect(value(f, 'tierwise_gpu_energy_joules_total', rtx)).toBeUndefined();
    await sleep(1000);
    const starts = await streamStarts(fake);
    expect(starts).toHaveLength(2);
    expect(starts[0]?.args).toContain('total_energy_consumption');
    expect(starts[1]?.args).not.toContain('total_energy_consumption');
    expect(starts[1]?.args).toMatch(/--format=csv,noheader,nounits -lms 100$/);
    const later = await c.collect();
    expect(value(later, 'tierwise_gpu_nvidia_smi_starts_total', { mode: 'stream' })).toBe(2);
  });

  it('counts energy where the driver has total_energy_consumption, in the node energy too', async () => {
    // The stand-in's energy counter is synthetic: no captured driver lists the field.
    const fake = await standIn({ captures: ['h100', 'h200'], energy: true });
    const f = await upFamilies(collectorFor({ nvidia_smi: fake.bin }));
    const gpu0 = value(f, 'tierwise_gpu_energy_joules_total', {
      gpu: '0',
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      model: 'NVIDIA H100 80GB HBM3',
    });
    expect(gpu0).toBeGreaterThanOrEqual(1_000_000);
    expect(value(f, 'tierwise_node_energy_joules_total', { source: 'gpu' })).toBeGreaterThan(2_000_000);
    expect(await streamStarts(fake)).toHaveLength(1);
  });

  it('maps per-process VRAM to workloads through /proc/<pid>/cgroup, and lists MIG devices', async () => {
    const fake = await standIn({ captures: ['rtx4080', 'h100Mig'] });
    // The captured PIDs, placed in cgroups of this test's making.
    const procfs = await tempTree('gpu-procfs', {
      '2165/cgroup': '0::/user.slice/user-1000.slice/session-2.scope\n',
      '5021/cgroup': '0::/system.slice/jellyfin.service\n',
      '5022/cgroup': '0::/system.slice/jellyfin.service\n',
      '21180/cgroup': '0::/system.slice/ollama.service\n',
    });
    const c = collectorFor({ nvidia_smi: fake.bin, processes_interval_seconds: 0.3 }, { procfs });
    const f = await waitFor(
      'process and MIG series',
      async () => {
        const got = await c.collect().catch(() => []);
        const names = got.map((x) => x.name);
        return names.includes('tierwise_gpu_process_memory_bytes') &&
          names.includes('tierwise_gpu_mig_instance_info')
          ? got
          : undefined;
      },
      10_000,
      50,
    );
    const vram = (gpu: string, uuid: string, workload: string, kind: string) =>
      value(f, 'tierwise_gpu_process_memory_bytes', { gpu, uuid, workload, kind, namespace: '' });
    const uuid0 = 'GPU-00000000-0000-0000-0000-000000000000';
    expect(vram('0', uuid0, 'jellyfin.service', 'service')).toBe((503 + 360) * 2 ** 20);
    expect(vram('0', uuid0, 'host/other', 'process')).toBe(25 * 2 ** 20);
    expect(vram('1', 'GPU-00000000-0000-0000-0000-000000000001', 'ollama.service', 'service')).toBe(
      2296 * 2 ** 20,
    );
    expect(
      f.find((x) => x.name === 'tierwise_gpu_mig_instance_info')?.samples.map((s) => s.labels.profile),
    ).toEqual(['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb']);
  });

  it('starts no more than one short-lived nvidia-smi per process interval, and keeps the stream', async () => {
    const fake = await standIn({ captures: ['rtx4080'] });
    const c = collectorFor({ nvidia_smi: fake.bin, processes_interval_seconds: 0.4 });
    await upFamilies(c);
    await sleep(2500);
    const polls = await pollStarts(fake);
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.length).toBeLessThanOrEqual(Math.ceil(2.6 / 0.4) + 1);
    for (let i = 1; i < polls.length; i++) {
      expect((polls[i]?.at ?? 0) - (polls[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(400);
    }
    expect(await streamStarts(fake)).toHaveLength(2);
  });
});

describe('gpu collector when nvidia-smi cannot be used', () => {
  it('is down with "no data: nvidia-smi not found" where there is none, and finds one put in PATH', async () => {
    const missing = collectorFor({ nvidia_smi: 'nvidia-smi' }, { pathEnv: '/nonexistent' });
    await sleep(50);
    expect(await gpuStatus(missing)).toMatchObject({ up: 0, reason: 'no data: nvidia-smi not found' });

    const fake = await standIn({ captures: ['rtx2080'] });
    const found = collectorFor({ nvidia_smi: 'nvidia-smi' }, { pathEnv: `/nonexistent:${fake.dir}` });
    await upFamilies(found);
    expect((await gpuStatus(found)).up).toBe(1);
  });

  it.each([
    ['no-devices-were-found', 'no devices were found'],
    ['nvml-driver-library-version-mismatch_new-format', 'NVML driver/library version mismatch'],
    ['nvml-driver-library-version-mismatch_old-format', 'NVML driver/library version mismatch'],
    ['failed-couldnt-communicate-with-driver', "couldn't communicate with the NVIDIA driver"],
    ['device-handle-unknown-error', 'unable to determine the device handle: Unknown Error'],
  ])('is down with the reason when nvidia-smi prints %s, and backs off', async (error, reason) => {
    const fake = await standIn({ scenario: `error:${error}` });
    const c = collectorFor({ nvidia_smi: fake.bin });
    const status = await waitFor(
      'the reason',
      async () => {
        const s = await gpuStatus(c);
        return s.reason === reason ? s : undefined;
      },
      5000,
      20,
    );
    expect(status.up).toBe(0);
    await sleep(1200);
    // Back-off 0.1, 0.2, 0.4, 0.8 s: a handful of starts, not one per millisecond.
    const starts = (await streamStarts(fake)).length;
    expect(starts).toBeGreaterThanOrEqual(3);
    expect(starts).toBeLessThanOrEqual(6);
    expect(await pollStarts(fake)).toHaveLength(0);
  });

  it('kills a hung nvidia-smi (SIGKILL) and starts another, while the scrape answers at once', async () => {
    const fake = await standIn({ scenario: 'hang' });
    const c = collectorFor({ nvidia_smi: fake.bin, timeout_seconds: 0.2 });
    const first = await waitFor('the first start', async () => (await streamStarts(fake))[0], 5000, 20);
    const during = await gpuStatus(c);
    expect(during).toMatchObject({ up: 0, reason: 'no sample from nvidia-smi yet' });
    expect(during.ms).toBeLessThan(100);
    // No sample within 3 intervals + the first-sample grace (0.3 + 0.2 s): killed, and started again.
    await waitFor(
      'a second start',
      async () => ((await streamStarts(fake)).length >= 2 ? true : undefined),
      5000,
      20,
    );
    expect(alive(first.pid)).toBe(false);
    const after = await gpuStatus(c);
    expect(after).toMatchObject({ up: 0, reason: 'nvidia-smi stalled: no complete sample for 0.5s, killed' });
    expect(after.ms).toBeLessThan(100);
    // A hung driver is not asked for process lists too.
    expect(await pollStarts(fake)).toHaveLength(0);
  });

  it('kills an nvidia-smi that stops printing mid-stream', async () => {
    const fake = await standIn({ scenario: 'stall-after:3' });
    const c = collectorFor({ nvidia_smi: fake.bin });
    await upFamilies(c);
    const reason = await waitFor(
      'the stall',
      async () => {
        const s = await gpuStatus(c);
        return s.reason?.includes('stalled') ? s.reason : undefined;
      },
      5000,
      20,
    );
    expect(reason).toBe('nvidia-smi stalled: no complete sample for 0.3s, killed');
    const [first] = await streamStarts(fake);
    expect(alive(first?.pid ?? 0)).toBe(false);
  });

  it('restarts an nvidia-smi that exits mid-stream, backing off while it keeps failing', async () => {
    const fake = await standIn({ scenario: 'exit-after:2', captures: ['h200'] });
    const c = collectorFor({ nvidia_smi: fake.bin, interval_seconds: 0.05 });
    await upFamilies(c);
    await sleep(4000);
    const starts = await streamStarts(fake);
    // The first start is refused (energy field), the second runs without it at once.
    const runs = starts.slice(1);
    const gaps = runs.slice(1).map((s, i) => s.at - (runs[i]?.at ?? 0));
    // Each run lasts two ticks (0.1 s); the waits between are 0.1, 0.2, 0.4, then the 0.8 s cap.
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    expect(gaps.length).toBeLessThanOrEqual(9);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan((gaps[i - 1] ?? 0) - 60);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(850);
    expect(runs.every((s) => !s.args.includes('total_energy_consumption'))).toBe(true);
    expect(
      value(await upFamilies(c), 'tierwise_gpu_nvidia_smi_starts_total', { mode: 'stream' }),
    ).toBeGreaterThanOrEqual(starts.length);
  });

  it('comes back up when the driver does', async () => {
    const fake = await standIn({ scenario: 'error:no-devices-were-found', captures: ['rtx4080'] });
    const c = collectorFor({ nvidia_smi: fake.bin });
    await waitFor('down', async () =>
      (await gpuStatus(c)).reason === 'no devices were found' ? true : undefined,
    );
    await fake.setScenario('replay');
    await upFamilies(c);
    expect((await gpuStatus(c)).up).toBe(1);
  });

  it('kills nvidia-smi when stopped', async () => {
    const fake = await standIn({ captures: ['rtx4080'] });
    const c = collectorFor({ nvidia_smi: fake.bin });
    await upFamilies(c);
    const pids = (await streamStarts(fake)).map((s) => s.pid);
    await c.stop();
    expect(pids.filter(alive)).toEqual([]);
    await expect(c.collect()).rejects.toThrow('stopped');
  });
});
