/**
 * The agent against Debian's prometheus-node-exporter with matching collectors, in one run,
 * alternating rounds so both see the same machine conditions. Scrapes ask for gzip and keep their
 * connection alive, as Prometheus does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { COLLECTOR_NAMES } from '../exporters/agent/agent.ts';
import { startAgentProcess } from '../test/support/agent-process.ts';
import { freePort, type Started, startProcess, waitFor } from '../test/support/processes.ts';
import { cpuSeconds, machineSummary, percentile, rssBytes } from './proc-usage.ts';
import { closeScrapeConnections, scrapeMs } from './scrape-client.ts';

const MATCHING = ['cpu', 'stat', 'meminfo', 'diskstats', 'netdev', 'filesystem'];

/** The V8 heap limits docs/configuration.md recommends for small machines. */
export const SMALL_HEAP_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=24'];

interface Target {
  name: string;
  port: number;
  proc: Started;
  latencies: number[];
  cpu: number;
  scrapes: number;
}

async function startTargets(): Promise<Target[]> {
  const disabled = COLLECTOR_NAMES.filter((n) => !MATCHING.includes(n)).map((n) => `--no-collector.${n}`);
  const agent = await startAgentProcess(disabled);
  const small = await startAgentProcess(disabled, undefined, SMALL_HEAP_FLAGS);
  const nePort = await freePort();
  const ne = startProcess('prometheus-node-exporter', [
    `--web.listen-address=127.0.0.1:${nePort}`,
    '--collector.disable-defaults',
    ...MATCHING.map((c) => `--collector.${c}`),
  ]);
  await waitFor('node_exporter', async () =>
    (await fetch(`http://127.0.0.1:${nePort}/`)).ok ? true : undefined,
  );
  const blank = { latencies: [], cpu: 0, scrapes: 0 };
  return [
    { name: 'tierwise agent', port: agent.port, proc: agent, ...blank, latencies: [] },
    {
      name: `tierwise agent ${SMALL_HEAP_FLAGS.join(' ')}`,
      port: small.port,
      proc: small,
      ...blank,
      latencies: [],
    },
    { name: 'node_exporter 1.5 (Debian)', port: nePort, proc: ne, ...blank, latencies: [] },
  ];
}

async function sequentialRound(t: Target, n: number): Promise<void> {
  const pid = t.proc.child.pid as number;
  const before = await cpuSeconds(pid);
  for (let i = 0; i < n; i++) t.latencies.push(await scrapeMs(t.port));
  t.cpu += (await cpuSeconds(pid)) - before;
  t.scrapes += n;
}

async function concurrentRss(t: Target, total: number, concurrency: number): Promise<number[]> {
  const pid = t.proc.child.pid as number;
  const samples: number[] = [await rssBytes(pid)];
  let done = 0;
  const worker = async () => {
    while (done < total) {
      done++;
      await scrapeMs(t.port);
      if (done % 1000 === 0) samples.push(await rssBytes(pid));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return samples;
}

export async function benchAgentVsNodeExporter(opts: {
  rounds: number;
  perRound: number;
  idleSeconds: number;
}) {
  const targets = await startTargets();
  try {
    // Warm-up: JIT and page cache, not measured.
    for (const t of targets) for (let i = 0; i < 200; i++) await scrapeMs(t.port);
    for (let r = 0; r < opts.rounds; r++) {
      // Rotate the order each round so no exporter always runs first or last.
      for (let k = 0; k < targets.length; k++) {
        await sequentialRound(targets[(r + k) % targets.length] as Target, opts.perRound);
      }
      process.stderr.write(`  round ${r + 1}/${opts.rounds}\n`);
    }
    const rss: Record<string, number[]> = {};
    for (const t of targets) {
      process.stderr.write(`  10,000 scrapes at 10 concurrent: ${t.name}\n`);
      rss[t.name] = await concurrentRss(t, 10_000, 10);
    }
    process.stderr.write(`  idle for ${opts.idleSeconds} s\n`);
    const idleBefore = await Promise.all(targets.map((t) => cpuSeconds(t.proc.child.pid as number)));
    await sleep(opts.idleSeconds * 1000);
    const idleAfter = await Promise.all(targets.map((t) => cpuSeconds(t.proc.child.pid as number)));
    return {
      machine: machineSummary(),
      results: targets.map((t, i) => {
        const sorted = [...t.latencies].sort((a, b) => a - b);
        const rssSeries = rss[t.name] ?? [];
        return {
          name: t.name,
          scrapes: t.scrapes,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          cpuSecondsPer1000: (t.cpu / t.scrapes) * 1000,
          rssStartMiB: (rssSeries[0] ?? 0) / 2 ** 20,
          rssAfter10kMiB: (rssSeries.at(-1) ?? 0) / 2 ** 20,
          rssMaxMiB: Math.max(...rssSeries) / 2 ** 20,
          idleCpuSecondsPerMinute: (((idleAfter[i] ?? 0) - (idleBefore[i] ?? 0)) / opts.idleSeconds) * 60,
        };
      }),
    };
  } finally {
    closeScrapeConnections();
    for (const t of targets) await t.proc.stop();
  }
}
