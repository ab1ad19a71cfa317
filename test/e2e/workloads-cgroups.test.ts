import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../exporters/parsers/mountinfo.ts';
import { type RunningAgent, startAgentProcess } from '../support/agent-process.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

/** USER_HZ: /proc/<pid>/stat counts CPU time in these (100 on every Linux architecture tierwise runs on). */
const CLOCK_TICKS = 100;

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

  /** CPU seconds a process has used so far, all its threads, from /proc/<pid>/stat (utime + stime). */
  const processCpuSeconds = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  };

  const workloadCpuSeconds = async (unit: string) => {
    const text = await (await fetch(`http://${agent.address}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`tierwise_workload_cpu_seconds_total{workload="${unit}",kind="service"`));
    return Number(line?.split(' ').at(-1));
  };

  it("counts each burner's own CPU time as its workload's, however busy the machine is", async () => {
    await prom.waitForQuery(
      'count_over_time(tierwise_workload_cpu_seconds_total{workload="burn-half.service"}[1m]) >= 8',
      undefined,
      40_000,
    );
    // The cgroup's counter must lie between the process's CPU time read just before and just after
    // the scrape (the agent reads cpu.stat during it), give or take /proc's 10 ms ticks.
    const units = Object.keys(groups);
    for (const [i, unit] of units.entries()) {
      const pid = burners[i]?.pid as number;
      const before = processCpuSeconds(pid);
      const counted = await workloadCpuSeconds(unit);
      const after = processCpuSeconds(pid);
      expect(counted, unit).toBeGreaterThan(before - 0.02);
      expect(counted, unit).toBeLessThan(after + 0.02);
    }
    // And through Prometheus the always-busy burner outworks the half-time one, whatever else runs
    // (their exact ratio depends on how contended the machine is; the counters above are exact).
    const full = await rate(
      'rate(tierwise_workload_cpu_seconds_total{workload="burn-full.service",kind="service"}[6s])',
    );
    const half = await rate(
      'rate(tierwise_workload_cpu_seconds_total{workload="burn-half.service",kind="service"}[6s])',
    );
    expect(full).toBeGreaterThan(half);
  });

  it("adds up to the machine's busy CPU time within 5 %", async () => {
    const workloads = await rate('sum(rate(tierwise_workload_cpu_seconds_total[6s]))');
    const machine = await rate('sum(rate(node_cpu_seconds_total{mode!~"idle|iowait"}[6s]))');
    expect(Math.abs(workloads - machine) / machine).toBeLessThan(0.05);
  });
});
