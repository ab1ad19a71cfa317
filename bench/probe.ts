/**
 * The agentless probe at homelab scale: one real sshd standing for 200 targets (200 entries in
 * probe.targets), each probed once per 15-second interval, spread over it as Prometheus spreads its
 * scrapes. Pooled: the real `tierwise probe` process (the bundle) asked over HTTP as Prometheus asks it,
 * its resident memory read from /proc; fresh: the same prober in this process with a connection per
 * probe, for the latency comparison only.
 */

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { probeConfigSchema } from '../collector/probe/config.ts';
import { SshProber } from '../collector/probe/prober.ts';
import { SshPool } from '../collector/probe/ssh/index.ts';
import { defaultConfig } from '../common/config.ts';
import { silentLogger } from '../common/log.ts';
import { bundle } from '../test/support/agent-process.ts';
import { freePort, startProcess, waitFor } from '../test/support/processes.ts';
import { startSshd } from '../test/support/sshd.ts';
import { percentile, rssBytes } from './proc-usage.ts';

export interface ProbeBenchResult {
  mode: 'pooled' | 'fresh';
  targets: number;
  probes: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** Of the `tierwise probe` process; not measured for the in-process comparison. */
  rssMaxMiB?: number;
  sshLogins: number;
}

export async function benchProbe(opts: {
  targets: number;
  intervals: number;
  intervalSeconds: number;
  /** V8 flags for the probe process, e.g. the small-heap flags of docs/configuration.md. */
  nodeFlags?: string[];
}) {
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
    const spread = async (round: (target: (typeof config.targets)[number]) => Promise<void>) => {
      const started = performance.now();
      const spacing = (opts.intervalSeconds * 1000) / config.targets.length;
      await Promise.all(
        config.targets.map(async (target, i) => {
          await new Promise((r) => setTimeout(r, Math.max(0, started + i * spacing - performance.now())));
          await round(target);
        }),
      );
    };

    // Pooled, through the real process.
    const file = path.join(sshd.dir, 'tierwise.yml');
    await writeFile(file, stringify({ probe: { known_hosts: knownHosts, targets: config.targets } }));
    const port = await freePort();
    const proc = startProcess(process.execPath, [
      bundle,
      'probe',
      `--config=${file}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    try {
      await waitFor('probe server', async () =>
        (await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined,
      );
      const loginsBefore = sshd.logins();
      const times: number[] = [];
      let failed = 0;
      let rssMax = 0;
      for (let round = 0; round < opts.intervals; round++) {
        await spread(async (target) => {
          const t0 = performance.now();
          const body = await (await fetch(`http://127.0.0.1:${port}/probe?target=${target.name}`)).text();
          // The first interval includes connecting: steady state is the later ones.
          if (round > 0) times.push(performance.now() - t0);
          if (!body.includes('tierwise_probe_success 1')) failed++;
        });
        rssMax = Math.max(rssMax, await rssBytes(proc.child.pid ?? 0));
      }
      times.sort((a, b) => a - b);
      results.push({
        mode: 'pooled',
        targets: config.targets.length,
        probes: times.length,
        failed,
        p50Ms: percentile(times, 50),
        p99Ms: percentile(times, 99),
        rssMaxMiB: rssMax / 2 ** 20,
        sshLogins: sshd.logins() - loginsBefore,
      });
    } finally {
      await proc.stop();
    }

    // A fresh connection per probe: one interval, in this process.
    const loginsBefore = sshd.logins();
    const pool = new SshPool(config, { pooled: false });
    const prober = new SshProber(pool, () => defaultConfig().agent, silentLogger);
    const times: number[] = [];
    let failed = 0;
    await spread(async (target) => {
      const outcome = await prober.probe(target);
      times.push(outcome.durationSeconds * 1000);
      if (!outcome.success) failed++;
    });
    await pool.close();
    times.sort((a, b) => a - b);
    results.push({
      mode: 'fresh',
      targets: config.targets.length,
      probes: times.length,
      failed,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      sshLogins: sshd.logins() - loginsBefore,
    });
    return results;
  } finally {
    await sshd.stop();
  }
}
