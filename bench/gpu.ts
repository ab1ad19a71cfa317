/**
 * The GPU collector's cost, on a machine without a GPU: the bundled agent runs the stand-in nvidia-smi
 * (test/support/fake-nvidia-smi.mjs) replaying two real captures, an RTX 4080 SUPER and an H100 in MIG
 * mode, with the default timings (a 5 s stream, a process list every 60 s).
 * - Scrape latency with the GPU collector on and off: pairs of agents with the same other collectors
 *   (see SETS), scraped alternately, asking for gzip as Prometheus does.
 * - nvidia-smi processes started per minute in steady state, counted by the stand-in's own start log
 *   (not by the agent), over a window that begins a minute after the agent started.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { COLLECTOR_NAMES } from '../exporters/agent/agent.ts';
import { type RunningAgent, startAgentProcess } from '../test/support/agent-process.ts';
import { type FakeNvidiaSmi, fakeNvidiaSmi } from '../test/support/fake-nvidia-smi.ts';
import { waitFor } from '../test/support/processes.ts';
import { machineSummary, percentile } from './proc-usage.ts';
import { closeScrapeConnections, scrapeMs } from './scrape-client.ts';

const OTHERS = ['cpu', 'stat', 'meminfo', 'diskstats', 'netdev', 'filesystem'];

interface Latency {
  p50Ms: number;
  p99Ms: number;
}

export interface GpuBenchResult {
  machine: string;
  gpuSeries: number;
  /** One on/off pair per set of other collectors. */
  pairs: { set: string; scrapes: number; on: Latency; off: Latency; p50Ratio: number; p99Ratio: number }[];
  steady: {
    windowMinutes: number;
    starts: number;
    perMinute: number;
    streamStarts: number;
    minGapSeconds: number;
    startsByKind: Record<string, number>;
  };
}

/**
 * The sets of other collectors each pair runs with: the node_exporter comparison's six (a small scrape,
 * where the GPU's share shows most) and every default collector but inventory (a GPU workstation as
 * shipped; inventory only adds its start-up speed test).
 */
const SETS: { set: string; keep: (name: string) => boolean }[] = [
  { set: 'node_exporter comparison set', keep: (n) => OTHERS.includes(n) },
  { set: 'every default collector but inventory', keep: (n) => n !== 'inventory' },
];

function stats(xs: number[]): Latency {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

/** Scrapes the two agents alternately, so both meet the same moments of machine noise. */
async function measurePair(on: number, off: number, rounds: number, perRound: number) {
  const latencies: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (const port of [on, off]) for (let i = 0; i < 200; i++) await scrapeMs(port);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < perRound; i++) {
      const pair = (r + i) % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of pair) latencies[which].push(await scrapeMs(which === 'on' ? on : off));
    }
    process.stderr.write(`  round ${r + 1}/${rounds}\n`);
  }
  return { on: stats(latencies.on), off: stats(latencies.off), scrapes: latencies.on.length };
}

async function gpuUp(port: number): Promise<string> {
  return waitFor(
    'the GPU collector up',
    async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return body.includes('tierwise_collector_up{collector="gpu"} 1') ? body : undefined;
    },
    30_000,
    200,
  );
}

export async function benchGpu(opts: {
  rounds: number;
  perRound: number;
  windowMinutes: number;
}): Promise<GpuBenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-bench-gpu-'));
  const agents: RunningAgent[] = [];
  const fakes: FakeNvidiaSmi[] = [];
  try {
    const startedAt = Date.now();
    const started = [];
    for (const [i, { set, keep }] of SETS.entries()) {
      // Its own stand-in per agent, so the start log counts one agent's nvidia-smi processes.
      const fake = await fakeNvidiaSmi({ captures: ['rtx4080', 'h100Mig'] });
      fakes.push(fake);
      const config = path.join(dir, `tierwise-${i}.yml`);
      await writeFile(config, stringify({ agent: { gpu: { nvidia_smi: fake.bin } } }));
      const disabled = COLLECTOR_NAMES.filter((n) => !keep(n) && n !== 'gpu').map(
        (n) => `--no-collector.${n}`,
      );
      const on = await startAgentProcess(['--config', config, ...disabled]);
      agents.push(on);
      const off = await startAgentProcess([...disabled, '--no-collector.gpu']);
      agents.push(off);
      started.push({ set, on, off });
    }
    const bodies = await Promise.all(started.map(({ on }) => gpuUp(on.port)));
    const gpuSeries = (bodies[0] ?? '')
      .split('\n')
      .filter(
        (l) => /^tierwise_gpu_/.test(l) || l.startsWith('tierwise_node_power_watts{source="gpu"}'),
      ).length;
    const pairs = [];
    for (const { set, on, off } of started) {
      process.stderr.write(`  ${set}\n`);
      const m = await measurePair(on.port, off.port, opts.rounds, opts.perRound);
      pairs.push({ set, ...m, p50Ratio: m.on.p50Ms / m.off.p50Ms, p99Ratio: m.on.p99Ms / m.off.p99Ms });
    }
    const windowStart = startedAt + 60_000;
    const windowEnd = windowStart + opts.windowMinutes * 60_000;
    const wait = windowEnd - Date.now();
    process.stderr.write(`  counting nvidia-smi starts until ${new Date(windowEnd).toISOString()}\n`);
    if (wait > 0) await sleep(wait);
    const inWindow = ((await fakes[0]?.starts()) ?? []).filter(
      (s) => s.at >= windowStart && s.at < windowEnd,
    );
    const gaps = inWindow.slice(1).map((s, i) => (s.at - (inWindow[i]?.at ?? 0)) / 1000);
    const startsByKind: Record<string, number> = {};
    for (const s of inWindow) {
      const kind = s.args.startsWith('--query-gpu')
        ? 'stream'
        : s.args.startsWith('--query-compute-apps')
          ? 'compute-apps'
          : s.args;
      startsByKind[kind] = (startsByKind[kind] ?? 0) + 1;
    }
    return {
      machine: machineSummary(),
      gpuSeries,
      pairs,
      steady: {
        windowMinutes: opts.windowMinutes,
        starts: inWindow.length,
        perMinute: inWindow.length / opts.windowMinutes,
        streamStarts: startsByKind.stream ?? 0,
        minGapSeconds: gaps.length > 0 ? Math.min(...gaps) : Number.NaN,
        startsByKind,
      },
    };
  } finally {
    closeScrapeConnections();
    for (const a of agents) await a.stop();
    for (const f of fakes) await f.remove();
    await rm(dir, { recursive: true, force: true });
  }
}
