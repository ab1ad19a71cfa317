import { performance } from 'node:perf_hooks';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.ts';
import { Backoff } from '../gpu/backoff.ts';
import { ProcessPoller } from '../gpu/compute-apps.ts';
import { GpuLabelCache, gpuFamilies } from '../gpu/families.ts';
import { ProcessWorkloads } from '../gpu/process-workloads.ts';
import { GpuStream } from '../gpu/stream.ts';
import type { EngineResolvers } from '../workloads/engines.ts';

export interface GpuCollectorDeps {
  /** The PATH nvidia-smi is looked up in; the agent's own by default. */
  pathEnv?: string;
  /** Docker/Kubernetes name lookups for GPU processes in containers; made on first need by default. */
  resolvers?: EngineResolvers;
}

export interface GpuCollector extends Collector {
  /** Kills nvidia-smi and stops both loops (tests; the agent's exit does it through execa). */
  stop(): Promise<void>;
}

/** Process lists older than this many poll intervals are not served: their processes may be long gone. */
const PROCESS_LIST_STALE_POLLS = 3;

/**
 * NVIDIA GPUs through nvidia-smi. Two background loops feed it (exporters/gpu/): the long-lived
 * `--query-gpu … -lms` stream and a slow loop for per-process VRAM and MIG layouts. A scrape only reads
 * what they last saw, so a hung or crashing nvidia-smi never delays it: the collector is up while the
 * last complete sample is younger than the stall limit (stall_intervals × interval), and down with the
 * reason otherwise — "nvidia-smi not found" (no data: no NVIDIA driver here), "no devices were found",
 * a driver/library version mismatch, a lost GPU, a stall, a crash.
 */
export function createGpuCollector(ctx: CollectorContext, deps: GpuCollectorDeps = {}): GpuCollector {
  const cfg = ctx.config.gpu;
  const intervalMs = cfg.interval_seconds * 1000;
  const stallMs = cfg.stall_intervals * intervalMs;
  const pathEnv = deps.pathEnv ?? process.env.PATH;
  const stream = new GpuStream({
    command: cfg.nvidia_smi,
    intervalMs,
    stallMs,
    firstSampleMs: stallMs + cfg.timeout_seconds * 1000,
    backoff: new Backoff(cfg.restart_min_seconds * 1000, cfg.restart_max_seconds * 1000),
    pathEnv,
    log: ctx.log,
  });
  const fresh = () => {
    const sample = stream.latest();
    return sample !== undefined && performance.now() - sample.at <= stallMs ? sample : undefined;
  };
  const workloads = new ProcessWorkloads(ctx, deps.resolvers);
  const processesMs = cfg.processes_interval_seconds * 1000;
  const poller = new ProcessPoller({
    command: cfg.nvidia_smi,
    pathEnv,
    intervalMs: processesMs,
    timeoutMs: cfg.timeout_seconds * 1000,
    retryMs: Math.min(intervalMs, processesMs),
    streaming: () => fresh() !== undefined,
    migEnabled: () => stream.latest()?.gpus.some((g) => g.migEnabled === true) ?? false,
    attribute: (apps) => workloads.attribute(apps),
    log: ctx.log,
  });
  const labels = new GpuLabelCache();
  stream.start();
  poller.start(intervalMs);
  let stopped = false;

  return {
    async collect() {
      if (stopped) throw new Error('stopped');
      const sample = fresh();
      if (!sample) throw stream.problem();
      const now = performance.now();
      const list = poller.processes;
      const listAgeMs = list ? now - list.at : Number.POSITIVE_INFINITY;
      return gpuFamilies(
        {
          gpus: sample.gpus,
          sampleAgeSeconds: (now - sample.at) / 1000,
          processes:
            list && listAgeMs <= PROCESS_LIST_STALE_POLLS * processesMs
              ? { vram: list.vram, ageSeconds: listAgeMs / 1000 }
              : undefined,
          layout: poller.layout?.gpus,
          starts: { stream: stream.starts, poll: poller.starts },
        },
        labels,
      );
    },
    async stop() {
      stopped = true;
      await Promise.all([stream.stop(), poller.stop()]);
    },
  };
}

export const gpuCollector: CollectorDefinition = {
  name: 'gpu',
  description:
    'NVIDIA GPUs from one long-lived nvidia-smi: utilisation, memory, power, energy, temperatures, clocks, throttling, ECC, MIG, VRAM per workload',
  defaultEnabled: true,
  create: (ctx) => createGpuCollector(ctx),
};
