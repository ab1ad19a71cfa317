import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { lastCompleteWeek } from '../collector/report/week.ts';
import {
  type HistoryLab,
  type HistoryMachine,
  type HistoryWorkload,
  MACHINES,
  TARIFF,
  WORKLOADS,
  writeHistory,
} from '../test/support/advise-history.ts';
import { bundle } from '../test/support/agent-process.ts';
import { startPrometheus } from '../test/support/prometheus.ts';

/**
 * The weekly report on a large lab: `machines` copies of the four history machines and `workloads`
 * copies of its eight workloads (each on a copy of its own machine, scaled down to fit ten to a
 * machine), two weeks of 5-minute history backfilled into Debian's Prometheus, and the bundled
 * `tierwise report` timed and its peak RSS read from /proc while it runs.
 */
export function largeLab(machineCount: number, workloadCount: number): HistoryLab {
  const machines: HistoryMachine[] = Array.from({ length: machineCount }, (_, i) => {
    const m = MACHINES[i % MACHINES.length] as HistoryMachine;
    return { ...m, instance: `${m.instance}-${String(i).padStart(2, '0')}` };
  });
  const copiesOf = (template: string) => machines.filter((m) => m.instance.startsWith(`${template}-`));
  const workloads: HistoryWorkload[] = Array.from({ length: workloadCount }, (_, k) => {
    const w = WORKLOADS[k % WORKLOADS.length] as HistoryWorkload;
    const hosts = copiesOf(w.instance);
    const host = hosts[Math.floor(k / WORKLOADS.length) % hosts.length] as HistoryMachine;
    return {
      ...w,
      workload: `${w.workload}-${k}`,
      instance: host.instance,
      cores: (h, d) => w.cores(h, d) * 0.4,
      memoryBytes: (h) => w.memoryBytes(h) * 0.4,
      info: { ...w.info, ...(w.info.pin && { pin: host.instance }) },
      ...(w.gpu && { gpu: { ...w.gpu, vramBytes: w.gpu.vramBytes / 5 } }),
    };
  });
  return { machines, workloads };
}

async function peakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

export interface ReportRun {
  seconds: number;
  peakRssMiB: number;
  moves: number;
  workloads: number;
  machines: number;
}

function timeReport(args: string[]): Promise<Pick<ReportRun, 'seconds' | 'peakRssMiB'>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bundle, 'report', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let peak = 0;
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const poll = setInterval(() => {
      if (child.pid) void peakRssBytes(child.pid).then((b) => (peak = Math.max(peak, b)));
    }, 50);
    child.on('exit', (code) => {
      clearInterval(poll);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`tierwise report exited ${code}: ${stderr}`));
      resolve({ seconds, peakRssMiB: peak / 2 ** 20 });
    });
  });
}

export async function benchReport(opts: { machines: number; workloads: number; runs: number }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-bench-report-'));
  const week = lastCompleteWeek(Date.now() / 1000, 'UTC');
  const lab = largeLab(opts.machines, opts.workloads);
  let historySeconds = 0;
  let backfillSeconds = 0;
  const prometheus = await startPrometheus([], '15s', async (dataDir) => {
    const file = path.join(dir, 'history.om');
    let t = performance.now();
    // Both weeks, so the report compares with the week before as it would in a real lab.
    await writeHistory(file, { end: week.end, days: 14.05, lab });
    historySeconds = (performance.now() - t) / 1000;
    t = performance.now();
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dataDir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    backfillSeconds = (performance.now() - t) / 1000;
    await rm(file);
  });
  try {
    const config = path.join(dir, 'tierwise.yml');
    await writeFile(config, stringify({ tariff: TARIFF }));
    const runs: ReportRun[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const out = path.join(dir, `out-${i}`);
      const r = await timeReport([
        '--prometheus',
        prometheus.url,
        '--week',
        week.label,
        '--tz',
        'UTC',
        '--out',
        out,
        '--config',
        config,
      ]);
      const json = JSON.parse(await readFile(path.join(out, `${week.label}.json`), 'utf8'));
      runs.push({
        seconds: r.seconds,
        peakRssMiB: r.peakRssMiB,
        moves: json.plan.moves.length,
        workloads: json.workload_count,
        machines: json.machines.length,
      });
    }
    return {
      week: week.label,
      machines: opts.machines,
      workloads: opts.workloads,
      historySeconds,
      backfillSeconds,
      runs,
    };
  } finally {
    await prometheus.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
