import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bundle } from '../support/agent-process.ts';
import { freePort, type Started, startProcess, waitFor } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';
import { type Sshd, startSshd } from '../support/sshd.ts';

/**
 * The agentless path end to end: Debian's real sshd on loopback stands for an old box, `tierwise
 * probe` reads it over SSH, and Debian's Prometheus scrapes /probe?target=… with the multi-target
 * relabelling of docs/probe.md.
 */
describe('Prometheus scrapes machines through tierwise probe', () => {
  let sshd: Sshd;
  let probe: Started & { address: string };
  let prom: TestPrometheus;
  let config: string;
  let knownHosts: string;

  beforeAll(async () => {
    sshd = await startSshd();
    config = path.join(sshd.dir, 'tierwise.yml');
    knownHosts = path.join(sshd.dir, 'known_hosts');
    const target = {
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      key_file: sshd.clientKey.privateFile,
    };
    await writeFile(
      config,
      stringify({
        probe: {
          known_hosts: knownHosts,
          targets: [
            { name: 'old-box', ...target, tier: 'ancient' },
            { name: 'untrusted', ...target, host: 'localhost' }, // same sshd, a name known_hosts lacks
          ],
        },
      }),
    );
    // The operator's step: look at the fingerprint, then record it.
    const trust = spawnSync(
      process.execPath,
      [bundle, 'probe', 'trust', 'old-box', '--config', config, '--yes'],
      {
        encoding: 'utf8',
      },
    );
    expect(trust.stderr).toBe('');
    expect(trust.stdout).toMatch(
      /^\[127\.0\.0\.1\]:\d+ presents ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\nrecorded in /,
    );

    const port = await freePort();
    const proc = startProcess(process.execPath, [
      bundle,
      'probe',
      `--config=${config}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    await waitFor('probe server', async () =>
      (await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined,
    );
    probe = { ...proc, address: `127.0.0.1:${port}` };
    prom = await startPrometheus([
      {
        job_name: 'tierwise-probe',
        metrics_path: '/probe',
        static_configs: [{ targets: ['old-box', 'untrusted'] }],
        relabel_configs: [
          { source_labels: ['__address__'], target_label: '__param_target' },
          { source_labels: ['__param_target'], target_label: 'instance' },
          { target_label: '__address__', replacement: probe.address },
        ],
      },
    ]);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await probe?.stop();
    await sshd?.stop();
  });

  it("stores the box's node_* series under its own instance", async () => {
    const expectations: [string, (v: number) => boolean][] = [
      ['node_cpu_seconds_total{instance="old-box",mode="idle"}', (v) => v > 0],
      ['node_memory_MemTotal_bytes{instance="old-box"}', (v) => v > 0],
      ['node_load1{instance="old-box"}', (v) => v >= 0],
      ['node_filesystem_size_bytes{instance="old-box",mountpoint="/"}', (v) => v > 0],
      ['node_network_receive_bytes_total{instance="old-box",device="lo"}', (v) => v >= 0],
      ['tierwise_probe_success{instance="old-box"}', (v) => v === 1],
    ];
    for (const [expr, ok] of expectations) {
      const [sample] = await prom.waitForQuery(expr);
      expect(ok(Number(sample?.value[1])), expr).toBe(true);
    }
    // The box is this machine seen over SSH: its memory is the kernel's own figure.
    const memTotal = /^MemTotal:\s+(\d+) kB$/m.exec(await readFile('/proc/meminfo', 'utf8'))?.[1];
    const [mem] = await prom.waitForQuery('node_memory_MemTotal_bytes{instance="old-box"}');
    expect(Number(mem?.value[1])).toBe(Number(memTotal) * 1024);
    const [info] = await prom.waitForQuery('tierwise_node_info{instance="old-box"}');
    expect(info?.metric.tier).toBe('ancient');
  });

  it('refuses a host key it was never told to trust, and says so', async () => {
    const [success] = await prom.waitForQuery('tierwise_probe_success{instance="untrusted"}');
    expect(success?.value[1]).toBe('0');
    const [info] = await prom.waitForQuery('tierwise_probe_info{instance="untrusted"}');
    expect(info?.metric.reason).toBe('host_key');
  });

  it('reuses one SSH connection per target across scrapes', async () => {
    await prom.waitForQuery('count_over_time(tierwise_probe_success{instance="old-box"}[1m]) >= 5');
    // One login for old-box, plus trust (which never logs in): the pool kept the connection.
    expect(sshd.logins()).toBe(1);
  });
});
