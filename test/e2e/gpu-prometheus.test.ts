import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type RunningAgent, startAgentProcess } from '../support/agent-process.ts';
import { type FakeNvidiaSmi, fakeNvidiaSmi } from '../support/fake-nvidia-smi.ts';
import { waitFor } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

/** One agent per stand-in behaviour; each Prometheus job is named after it. */
const SCENARIOS = {
  gpu: 'replay',
  'gpu-hang': 'hang',
  'gpu-crash': 'exit-after:3',
  'gpu-mismatch': 'error:nvml-driver-library-version-mismatch_new-format',
} as const;
type Job = keyof typeof SCENARIOS;

/**
 * Debian's Prometheus scrapes the bundled agent, whose GPU collector runs a stand-in nvidia-smi that
 * replays real captures (an RTX 4080 SUPER and an H100 in MIG mode), hangs, crashes mid-stream, or
 * prints a driver error: the series arrive, and the broken ones never slow a scrape down.
 */
describe('Prometheus scrapes the GPU collector', () => {
  let dir: string;
  const fakes = new Map<Job, FakeNvidiaSmi>();
  const agents: RunningAgent[] = [];
  let prom: TestPrometheus;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-gpu-e2e-'));
    // The captured PIDs of the replayed GPUs' processes, in cgroups the workload identity knows.
    const procfs = path.join(dir, 'proc');
    const cgroups: Record<string, string> = {
      5021: '/system.slice/jellyfin.service',
      5022: '/system.slice/jellyfin.service',
      21198: '/system.slice/ollama.service',
    };
    for (const [pid, cgroup] of Object.entries(cgroups)) {
      await mkdir(path.join(procfs, pid), { recursive: true });
      await writeFile(path.join(procfs, pid, 'cgroup'), `0::${cgroup}\n`);
    }
    for (const [job, scenario] of Object.entries(SCENARIOS) as [Job, string][]) {
      const fake = await fakeNvidiaSmi({ captures: ['rtx4080', 'h100Mig'], scenario });
      fakes.set(job, fake);
      const config = path.join(dir, `${job}.yml`);
      await writeFile(
        config,
        stringify({
          agent: {
            gpu: {
              nvidia_smi: fake.bin,
              interval_seconds: 0.5,
              processes_interval_seconds: 2,
              timeout_seconds: 1,
              restart_min_seconds: 0.5,
              restart_max_seconds: 2,
            },
          },
        }),
      );
      const args = ['--config', config, '--no-collector.inventory'];
      if (job === 'gpu') args.push(`--path.procfs=${procfs}`);
      agents.push(await startAgentProcess(args));
    }
    prom = await startPrometheus(
      Object.keys(SCENARIOS).map((job, i) => ({
        job_name: job,
        static_configs: [{ targets: [agents[i]?.address] }],
      })),
    );
  });

  afterAll(async () => {
    await prom?.stop();
    for (const agent of agents) await agent.stop();
    for (const fake of fakes.values()) await fake.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores the tierwise_gpu_* series of both GPUs, with [N/A] values absent', async () => {
    const memory = await prom.waitForQuery(
      'tierwise_gpu_memory_total_bytes{job="gpu"}',
      (r) => r.length === 2,
    );
    expect(memory.map((s) => [s.metric.gpu, s.metric.model, Number(s.value[1])]).sort()).toEqual([
      ['0', 'NVIDIA GeForce RTX 4080 SUPER', 16376 * 2 ** 20],
      ['1', 'NVIDIA H100 80GB HBM3', 81559 * 2 ** 20],
    ]);
    const power = await prom.waitForQuery('tierwise_node_power_watts{job="gpu",source="gpu"}');
    expect(Number(power[0]?.value[1])).toBeCloseTo(84.24 + 433.78, 6);
    // The H100 in MIG mode reports no utilisation: only the RTX's series exists.
    const util = await prom.waitForQuery('tierwise_gpu_utilization_ratio{job="gpu"}');
    expect(util.map((s) => s.metric.gpu)).toEqual(['0']);
    const up = await prom.waitForQuery('tierwise_collector_up{job="gpu",collector="gpu"}');
    expect(up[0]?.value[1]).toBe('1');
    const age = await prom.waitForQuery('tierwise_gpu_sample_age_seconds{job="gpu"}');
    expect(Number(age[0]?.value[1])).toBeLessThan(1.5);
  });

  it('stores VRAM per workload and the MIG devices', async () => {
    const vram = await prom.waitForQuery(
      'tierwise_gpu_process_memory_bytes{job="gpu"}',
      (r) => r.length === 2,
      20_000,
    );
    expect(
      vram.map((s) => [s.metric.gpu, s.metric.workload, s.metric.kind, Number(s.value[1])]).sort(),
    ).toEqual([
      ['0', 'jellyfin.service', 'service', (503 + 360) * 2 ** 20],
      ['1', 'ollama.service', 'service', 7484 * 2 ** 20],
    ]);
    const mig = await prom.waitForQuery(
      'tierwise_gpu_mig_instance_info{job="gpu"}',
      (r) => r.length === 4,
      20_000,
    );
    expect(new Set(mig.map((s) => s.metric.gpu))).toEqual(new Set(['1']));
  });

  it('keeps the scrape on time while nvidia-smi hangs, and kills and restarts it', async () => {
    const down = await prom.waitForQuery(
      'tierwise_collector_up{job="gpu-hang",collector="gpu",reason=~"nvidia-smi stalled.*"} == 0',
    );
    expect(down[0]?.metric.reason).toBe('nvidia-smi stalled: no complete sample for 2.5s, killed');
    await prom.waitForQuery('up{job="gpu-hang"} == 1');
    expect((await fakes.get('gpu-hang')?.starts())?.length).toBeGreaterThanOrEqual(2);
    const slowest = await prom.waitForQuery('max_over_time(scrape_duration_seconds{job="gpu-hang"}[1m])');
    expect(Number(slowest[0]?.value[1])).toBeLessThan(0.5);
  });

  it('keeps the scrape on time while nvidia-smi crashes mid-stream, and serves the restarted stream', async () => {
    await prom.waitForQuery(
      'tierwise_gpu_nvidia_smi_starts_total{job="gpu-crash",mode="stream"} >= 3',
      undefined,
      20_000,
    );
    await prom.waitForQuery('up{job="gpu-crash"} == 1');
    const slowest = await prom.waitForQuery('max_over_time(scrape_duration_seconds{job="gpu-crash"}[1m])');
    expect(Number(slowest[0]?.value[1])).toBeLessThan(0.5);
  });

  it('leaves no nvidia-smi behind when the agent stops', async () => {
    const starts = (await fakes.get('gpu')?.starts()) ?? [];
    expect(starts.length).toBeGreaterThan(0);
    await agents[0]?.stop();
    const alive = () =>
      starts.filter(({ pid }) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
    // Killed as the agent exits; init reaps them a moment later.
    await waitFor(
      'the stand-ins to be gone',
      async () => (alive().length === 0 ? true : undefined),
      5000,
      50,
    );
  });

  it('reports a driver/library version mismatch as the reason the collector is down', async () => {
    const down = await prom.waitForQuery('tierwise_collector_up{job="gpu-mismatch",collector="gpu"} == 0');
    expect(down[0]?.metric.reason).toBe('NVML driver/library version mismatch');
    const series = await prom.query('count({job="gpu-mismatch",__name__=~"tierwise_gpu_.*"})');
    expect(series).toEqual([]);
  });
});
