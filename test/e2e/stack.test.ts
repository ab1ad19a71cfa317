import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../common/config.ts';
import { ruleFiles } from '../../rules/index.ts';
import { bundle } from '../support/agent-process.ts';
import { descendants, identify, type ProcessIdentity, stillRunning } from '../support/proc-tree.ts';
import { freePort, type Started, startProcess, waitFor } from '../support/processes.ts';
import { type Sshd, startSshd, targetOn } from '../support/sshd.ts';

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

interface RunningStack extends Started {
  /** Every process under the stack once it was up: Prometheus, Alertmanager, the agent, the probe. */
  processes: ProcessIdentity[];
  upAfterMs: number;
}

/**
 * `tierwise stack` end to end, as `npm start` runs it: the bundled CLI starts Debian's real Prometheus
 * and Alertmanager, the agent and the SSH probe (reading Debian's sshd on loopback), and scrapes
 * Debian's node_exporter as a third-party exporter. Everything must come up, stop on Ctrl-C without
 * leaving a process behind, and find its data again on the next start.
 */
describe('tierwise stack', () => {
  let dir: string;
  let dataDir: string;
  let configFile: string;
  let sshd: Sshd;
  let nodeExporter: Started;
  const ports = { agent: 0, probe: 0, collector: 0, prometheus: 0, alertmanager: 0, node: 0 };
  const started: RunningStack[] = [];
  let prometheus: string;
  let alertmanager: string;
  /** A moment of the first run at which the agent was up, and the silence made then. */
  let firstRun: { time: number; silence: string };

  const prom = async <T>(api: string): Promise<T> => {
    const res = await fetch(`${prometheus}${api}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${api}: ${body.error}`);
    return body.data;
  };

  async function startStack(): Promise<RunningStack> {
    const t0 = performance.now();
    const proc = startProcess(process.execPath, [
      bundle,
      'stack',
      `--config=${configFile}`,
      `--data-dir=${dataDir}`,
    ]);
    const run: RunningStack = { ...proc, processes: [], upAfterMs: 0 };
    started.push(run);
    await waitFor(
      'the stack to print its URLs',
      async () => {
        if (proc.child.exitCode !== null)
          throw new Error(`stack exited ${proc.child.exitCode}:\n${proc.output()}`);
        return proc.output().includes('tierwise stack is up') ? true : undefined;
      },
      45_000,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${proc.output()}`);
    });
    run.upAfterMs = performance.now() - t0;
    const pids = await descendants(proc.child.pid as number);
    run.processes = (await Promise.all(pids.map(identify))).filter((p) => p !== undefined);
    return run;
  }

  /** Sends Ctrl-C's signal; resolves with the exit code and how long stopping took. */
  async function interrupt(run: RunningStack): Promise<{ code: number | null; ms: number }> {
    const t0 = performance.now();
    const exited = new Promise<number | null>((resolve) => {
      if (run.child.exitCode !== null) resolve(run.child.exitCode);
      else run.child.once('exit', (code) => resolve(code));
    });
    run.child.kill('SIGINT');
    const code = await exited;
    return { code, ms: performance.now() - t0 };
  }

  async function waitAllUp(): Promise<Target[]> {
    return waitFor(
      'every target up',
      async () => {
        const { activeTargets } = await prom<{ activeTargets: Target[] }>('/api/v1/targets');
        const jobs = new Set(activeTargets.map((t) => t.labels.job));
        const expected = [
          'tierwise-agent',
          'tierwise-probe',
          'tierwise-probe-self',
          'tierwise-collector',
          'node',
          'prometheus',
          'alertmanager',
        ];
        if (!expected.every((j) => jobs.has(j))) return undefined;
        return activeTargets.every((t) => t.health === 'up') ? activeTargets : undefined;
      },
      30_000,
      200,
    );
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-stack-'));
    dataDir = path.join(dir, 'data');
    configFile = path.join(dir, 'tierwise.yml');
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    prometheus = `http://127.0.0.1:${ports.prometheus}`;
    alertmanager = `http://127.0.0.1:${ports.alertmanager}`;

    sshd = await startSshd();
    const knownHosts = path.join(dir, 'known_hosts');
    await writeFile(knownHosts, `${sshd.knownHostsLine}\n`);
    nodeExporter = startProcess('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${ports.node}`]);
    await waitFor('node_exporter', async () =>
      (await fetch(`http://127.0.0.1:${ports.node}/`)).ok ? true : undefined,
    );

    const { name: _name, ...target } = targetOn(sshd, sshd.clientKey, sshd.user, 'old-box');
    await writeFile(
      configFile,
      stringify({
        agent: { speed_score: { enabled: false }, power: { profile: 'mini-pc-n100' } },
        probe: { known_hosts: knownHosts, targets: [{ name: 'old-box', ...target }] },
        // A tariff lets the collector price energy, so the stack runs it.
        tariff: { currency: 'EUR', timezone: 'Europe/Berlin', price_per_kwh: 0.3 },
        stack: {
          scrape_interval: '1s',
          listen: {
            agent: `127.0.0.1:${ports.agent}`,
            probe: `127.0.0.1:${ports.probe}`,
            collector: `127.0.0.1:${ports.collector}`,
            prometheus: `127.0.0.1:${ports.prometheus}`,
            alertmanager: `127.0.0.1:${ports.alertmanager}`,
          },
          exporters: [{ job: 'node', targets: [`127.0.0.1:${ports.node}`] }],
        },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    // Even after a failed test: the stack first, then anything of it that is somehow still there.
    for (const run of started) await run.stop();
    for (const p of started.flatMap((r) => r.processes)) {
      if (await stillRunning(p)) process.kill(p.pid, 'SIGKILL');
    }
    await nodeExporter?.stop();
    await sshd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('brings every target up, loads the rules and stops on Ctrl-C with nothing left behind', async () => {
    const run = await startStack();
    expect(run.output()).toContain(`Prometheus    ${prometheus}/`);
    expect(run.output()).toContain(`Alertmanager  ${alertmanager}/`);
    expect(run.output()).toContain(`probe         http://127.0.0.1:${ports.probe}/`);
    const commands = run.processes.map((p) => p.command);
    expect(commands.filter((c) => /prometheus --config\.file=/.test(c))).toHaveLength(1);
    expect(commands.filter((c) => /alertmanager --config\.file=/.test(c))).toHaveLength(1);
    expect(commands.filter((c) => c.includes(`${bundle} agent`))).toHaveLength(1);
    expect(commands.filter((c) => c.includes(`${bundle} probe`))).toHaveLength(1);

    const t0 = performance.now();
    const targets = await waitAllUp();
    const allUpMs = run.upAfterMs + (performance.now() - t0);
    // instance is the machine: this box's agent, node_exporter and the stack itself by hostname.
    const instances = new Map(targets.map((t) => [t.labels.job, t.labels.instance]));
    expect(instances.get('tierwise-agent')).toBe(os.hostname());
    expect(instances.get('node')).toBe(os.hostname());
    expect(instances.get('tierwise-probe')).toBe('old-box');

    const { groups } = await prom<{ groups: { name: string; file: string }[] }>('/api/v1/rules');
    const expectedGroups = ruleFiles(parseConfig('', 'defaults')).flatMap((f) => f.groups.map((g) => g.name));
    expect(groups.map((g) => g.name).sort()).toEqual([...expectedGroups].sort());
    const { activeAlertmanagers } = await prom<{ activeAlertmanagers: { url: string }[] }>(
      '/api/v1/alertmanagers',
    );
    expect(activeAlertmanagers.map((a) => a.url)).toEqual([`${alertmanager}/api/v2/alerts`]);

    const query = async (expr: string) =>
      (
        await prom<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result;
    const probed = await waitFor('a probe of old-box', async () => {
      const r = await query('tierwise_probe_success{instance="old-box"}');
      return r.length > 0 ? r : undefined;
    });
    expect(probed[0]?.value[1]).toBe('1');
    // Two exporters of one machine join on instance.
    const joined = await waitFor('node_exporter joined with the agent', async () => {
      const r = await query('node_memory_MemTotal_bytes{job="node"} and on (instance) tierwise_node_info');
      return r.length > 0 ? r : undefined;
    });
    expect(joined[0]?.metric.instance).toBe(os.hostname());
    // The collector's tariff reaches Prometheus, where the cost rules price this machine's power.
    const cost = await waitFor('a cost per hour for this machine', async () => {
      const r = await query('tierwise:node_cost_per_hour');
      return r.length > 0 ? r : undefined;
    });
    expect(cost[0]?.metric).toMatchObject({ instance: os.hostname(), currency: 'EUR' });

    const [agentUp] = await query('up{job="tierwise-agent"}');
    const silence = (await (
      await fetch(`${alertmanager}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: [{ name: 'alertname', value: 'TierwiseStackTest', isRegex: false, isEqual: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: 'stack.test.ts',
          comment: 'kept across restarts',
        }),
      })
    ).json()) as { silenceID: string };
    firstRun = { time: agentUp?.value[0] as number, silence: silence.silenceID };

    const stopped = await interrupt(run);
    expect(stopped.code, run.output()).toBe(0);
    expect(run.output()).toContain('stack stopped');
    const left = [];
    for (const p of run.processes) if (await stillRunning(p)) left.push(p);
    expect(left).toEqual([]);
    console.info(
      `stack: all ${targets.length} targets up ${Math.round(allUpMs)} ms after start (URLs printed at ${Math.round(run.upAfterMs)} ms); stopped in ${Math.round(stopped.ms)} ms`,
    );
  }, 60_000);

  it('finds the first run’s series and silences again on the next start', async () => {
    expect(firstRun).toBeDefined();
    const run = await startStack();
    const { result } = await prom<{ result: { value: [number, string] }[] }>(
      `/api/v1/query?query=${encodeURIComponent('up{job="tierwise-agent"}')}&time=${firstRun.time}`,
    );
    expect(result.map((r) => r.value[1])).toEqual(['1']);
    const silences = (await (await fetch(`${alertmanager}/api/v2/silences`)).json()) as { id: string }[];
    expect(silences.map((s) => s.id)).toContain(firstRun.silence);
    // Two stacks on one data directory would corrupt Prometheus' TSDB: the second refuses to start.
    const second = spawnSync(process.execPath, [bundle, 'stack', `--data-dir=${dataDir}`], {
      encoding: 'utf8',
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`${dataDir} is in use by another tierwise stack (pid ${run.child.pid})`);
    const stopped = await interrupt(run);
    expect(stopped.code, run.output()).toBe(0);
    for (const p of run.processes) expect(await stillRunning(p), p.command).toBe(false);
  }, 60_000);

  it('stops everything and exits 1 when one of its programs dies, showing its last lines', async () => {
    const run = await startStack();
    const agent = run.processes.find((p) => p.command.includes(`${bundle} agent`));
    expect(agent).toBeDefined();
    const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
    process.kill(agent?.pid as number, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(run.output()).toMatch(
      /tierwise: agent exited unexpectedly \(signal SIGKILL\); its last lines:\n {2}\{/,
    );
    for (const p of run.processes) expect(await stillRunning(p), p.command).toBe(false);
  }, 60_000);

  it('says how to install Prometheus and Alertmanager when they are missing', () => {
    const res = spawnSync(
      process.execPath,
      [bundle, 'stack', `--config=${configFile}`, `--data-dir=${dataDir}`],
      {
        encoding: 'utf8',
        env: { ...process.env, PATH: dir },
      },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(
      'tierwise: prometheus and alertmanager (or prometheus-alertmanager) not found on PATH; tierwise stack runs the installed programs. Install them with:\n  sudo apt-get install -y prometheus prometheus-alertmanager\n',
    );
  });

  it('names a port that is taken before starting anything', async () => {
    const squatter = createServer().listen(ports.alertmanager, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      const res = spawnSync(
        process.execPath,
        [bundle, 'stack', `--config=${configFile}`, `--data-dir=${dataDir}`],
        {
          encoding: 'utf8',
        },
      );
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(
        `127.0.0.1:${ports.alertmanager} (stack.listen.alertmanager): already in use`,
      );
    } finally {
      squatter.close();
    }
  });
});
