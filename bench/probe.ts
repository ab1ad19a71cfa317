/**
 * The agentless probe at homelab scale: one real sshd standing for 200 targets (200 entries in
 * probe.targets), each probed once per 15-second interval, spread over it as Prometheus spreads its
 * scrapes. Probe latency with pooled connections against a fresh connection per probe, and the
 * prober's resident memory.
 */

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { probeConfigSchema } from '../collector/probe/config.ts';
import { SshProber } from '../collector/probe/prober.ts';
import { SshPool } from '../collector/probe/ssh/index.ts';
import { defaultConfig } from '../common/config.ts';
import { silentLogger } from '../common/log.ts';
import { startSshd } from '../test/support/sshd.ts';
import { percentile } from './proc-usage.ts';

export interface ProbeBenchResult {
  mode: 'pooled' | 'fresh';
  targets: number;
  probes: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  rssMaxMiB: number;
  sshLogins: number;
}

export async function benchProbe(opts: { targets: number; intervals: number; intervalSeconds: number }) {
  const sshd = await startSshd();
  try {
    const knownHosts = path.join(sshd.dir, 'known_hosts');
    await writeFile(knownHosts, `${sshd.knownHostsLine}\n`);
    const config = probeConfigSchema.parse({
      known_hosts: knownHosts,
      max_concurrent: 16,
      targets: Array.from({ length: opts.targets }, (_, i) => ({
        name: `box-${i}`,
        host: sshd.host,
        port: sshd.port,
        user: sshd.user,
        key_file: sshd.clientKey.privateFile,
      })),
    });
    const results: ProbeBenchResult[] = [];
    for (const mode of ['pooled', 'fresh'] as const) {
      const loginsBefore = sshd.logins();
      const pool = new SshPool(config, { pooled: mode === 'pooled' });
      const prober = new SshProber(pool, defaultConfig().agent, silentLogger);
      const times: number[] = [];
      let failed = 0;
      let rssMax = 0;
      // The fresh-connection comparison runs one interval: its cost is clear at once.
      const intervals = mode === 'pooled' ? opts.intervals : 1;
      for (let round = 0; round < intervals; round++) {
        const started = performance.now();
        const spacing = (opts.intervalSeconds * 1000) / config.targets.length;
        await Promise.all(
          config.targets.map(async (target, i) => {
            const due = started + i * spacing;
            await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
            const outcome = await prober.probe(target);
            // The first interval includes connecting: pooled steady state is the later ones.
            if (mode === 'fresh' || round > 0 || intervals === 1) times.push(outcome.durationSeconds * 1000);
            if (!outcome.success) failed++;
            rssMax = Math.max(rssMax, process.memoryUsage().rss);
          }),
        );
      }
      await pool.close();
      times.sort((a, b) => a - b);
      results.push({
        mode,
        targets: config.targets.length,
        probes: times.length,
        failed,
        p50Ms: percentile(times, 50),
        p99Ms: percentile(times, 99),
        rssMaxMiB: rssMax / 2 ** 20,
        sshLogins: sshd.logins() - loginsBefore,
      });
    }
    return results;
  } finally {
    await sshd.stop();
  }
}
