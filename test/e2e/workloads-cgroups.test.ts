import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../exporters/parsers/mountinfo.ts';
import { type RunningAgent, startAgentProcess } from '../support/agent-process.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

/** This machine's cgroup v2 tree (pure v2 at /sys/fs/cgroup, or hybrid at /sys/fs/cgroup/unified). */
const v2Root = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).find(
  (m) => m.fsType === 'cgroup2',
)?.mountPoint;

/** Busy-loops for `dutyMs` out of every 100 ms (then sleeps): 100 burns a whole core, 50 half of one. */
const burnerSource = (dutyMs: number) =>
  `const cell = new Int32Array(new SharedArrayBuffer(4));
   for (;;) {
     const t0 = Date.now();
     while (Date.now() - t0 < ${dutyMs}) {}
     if (${dutyMs} < 100) Atomics.wait(cell, 0, 0, ${100 - dutyMs});
   }`;

/**
 * Two throwaway processes in cgroups the test makes, named like systemd services, burn different
 * amounts of CPU; Prometheus scrapes the agent and the rates must say so, and add up to the machine.
 */
describe.skipIf(!v2Root)("workloads on this machine's real cgroup v2 tree", () => {
  const slice = path.join(v2Root ?? '/nonexistent', 'tierwise-e2e.slice');
  const groups = { 'burn-full.service': 100, 'burn-half.service': 50 };
  const burners: ChildProcess[] = [];
  let agent: RunningAgent;
  let prom: TestPrometheus;

  beforeAll(async () => {
    mkdirSync(slice, { recursive: true });
    for (const [unit, duty] of Object.entries(groups)) {
      const dir = path.join(slice, unit);
      mkdirSync(dir, { recursive: true });
      const child = spawn(process.execPath, ['-e', burnerSource(duty)], { stdio: 'ignore' });
      burners.push(child);
      writeFileSync(path.join(dir, 'cgroup.procs'), String(child.pid));
    }
    agent = await startAgentProcess(['--no-collector.inventory']);
    prom = await startPrometheus([{ job_name: 'tierwise', static_configs: [{ targets: [agent.address] }] }]);
  });

  afterAll(async () => {
    await prom?.stop();
    await agent?.stop();
    for (const burner of burners) {
      if (burner.exitCode !== null || burner.signalCode !== null) continue;
      const exited = new Promise((resolve) => burner.once('exit', resolve));
      burner.kill('SIGKILL');
      await exited; // a cgroup can only be removed once its processes are gone
    }
    for (const unit of Object.keys(groups)) rmdirSync(path.join(slice, unit));
    rmdirSync(slice);
  });

  const rate = async (expr: string) => {
    const r = await prom.waitForQuery(expr, (s) => Number(s[0]?.value[1]) > 0, 40_000);
    return Number(r[0]?.value[1]);
  };

  it('gives each burner its own workload, in the right ratio', async () => {
    await prom.waitForQuery(
      'count_over_time(tierwise_workload_cpu_seconds_total{workload="burn-half.service"}[1m]) >= 8',
      undefined,
      40_000,
    );
    const full = await rate(
      'rate(tierwise_workload_cpu_seconds_total{workload="burn-full.service",kind="service"}[6s])',
    );
    const half = await rate(
      'rate(tierwise_workload_cpu_seconds_total{workload="burn-half.service",kind="service"}[6s])',
    );
    // A busy loop gets most of a core; how much depends on what else the CI machine runs meanwhile.
    expect(full).toBeGreaterThan(0.5);
    expect(full / half).toBeGreaterThan(1.6);
    expect(full / half).toBeLessThan(2.5);
  });

  it("adds up to the machine's busy CPU time within 5 %", async () => {
    const workloads = await rate('sum(rate(tierwise_workload_cpu_seconds_total[6s]))');
    const machine = await rate('sum(rate(node_cpu_seconds_total{mode!~"idle|iowait"}[6s]))');
    expect(Math.abs(workloads - machine) / machine).toBeLessThan(0.05);
  });
});
