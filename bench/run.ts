/**
 * `npm run bench`: measured figures for docs/benchmarks.md. Not part of the test suite: timings vary
 * with the machine, so they are recorded with the command and the machine, never asserted.
 * `--quick` shortens every run; `--only=agent|workloads|gpu|probe|placement|report` runs one section;
 * `--reference` (placement) reruns the 10-minute reference solves instead of using the recorded figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchAgentVsNodeExporter } from './agent-vs-node-exporter.ts';
import { benchGpu } from './gpu.ts';
import { benchPlacement } from './placement.ts';
import { benchProbe } from './probe.ts';
import { machineSummary } from './proc-usage.ts';
import { benchReport } from './report.ts';
import { benchWorkloadsOnCgroupfs, benchWorkloadsOnFiles } from './workloads.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const fmt = (n: number, d = 2) => n.toFixed(d);
const sections: Record<string, () => Promise<{ json: unknown; lines: string[] }>> = {
  agent: async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    const agent = await benchAgentVsNodeExporter(
      quick ? { rounds: 2, perRound: 100, idleSeconds: 5 } : { rounds: 10, perRound: 500, idleSeconds: 60 },
    );
    const lines = [
      '| exporter | scrapes | p50 ms | p99 ms | CPU s / 1000 scrapes | RSS start MiB | RSS after 10k @10 MiB | RSS max MiB | idle CPU s / min |',
      '|---|---|---|---|---|---|---|---|---|',
      ...agent.results.map(
        (r) =>
          `| ${r.name} | ${r.scrapes} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.cpuSecondsPer1000)} | ${fmt(r.rssStartMiB, 1)} | ${fmt(r.rssAfter10kMiB, 1)} | ${fmt(r.rssMaxMiB, 1)} | ${fmt(r.idleCpuSecondsPerMinute, 3)} |`,
      ),
    ];
    const theirs = agent.results.at(-1);
    if (theirs) {
      lines.push('', 'Ratios to node_exporter:');
      for (const ours of agent.results.slice(0, -1)) {
        lines.push(
          `- ${ours.name}: CPU per scrape ${fmt(ours.cpuSecondsPer1000 / theirs.cpuSecondsPer1000)}×, p50 ${fmt(ours.p50Ms / theirs.p50Ms)}×, p99 ${fmt(ours.p99Ms / theirs.p99Ms)}×`,
        );
      }
    }
    return { json: agent, lines };
  },
  workloads: async () => {
    const iterations = quick ? 50 : 300;
    const results = [
      await benchWorkloadsOnFiles(500, iterations),
      await benchWorkloadsOnCgroupfs(500, iterations),
    ];
    return {
      json: results,
      lines: [
        '| tree | cgroups | collects | series | p50 ms / collect | p99 ms / collect |',
        '|---|---|---|---|---|---|',
        ...results.map((r) =>
          typeof r === 'string'
            ? `| cgroupfs | ${r} | | | | |`
            : `| ${r.tree} | ${r.cgroups} | ${r.iterations} | ${r.series} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} |`,
        ),
      ],
    };
  },
  gpu: async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    const r = await benchGpu(
      quick
        ? { rounds: 2, perRound: 200, windowMinutes: 2 }
        : { rounds: 10, perRound: 500, windowMinutes: 5 },
    );
    const kinds = Object.entries(r.steady.startsByKind)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ');
    return {
      json: r,
      lines: [
        `Stand-in nvidia-smi replaying an RTX 4080 SUPER and an H100 (MIG); ${r.gpuSeries} GPU series a scrape.`,
        '',
        '| other collectors | scrapes each | p50 ms on / off | p99 ms on / off | p50 on/off | p99 on/off (target ≤ 1.1×) |',
        '|---|---|---|---|---|---|',
        ...r.pairs.map(
          (p) =>
            `| ${p.set} | ${p.scrapes} | ${fmt(p.on.p50Ms)} / ${fmt(p.off.p50Ms)} | ${fmt(p.on.p99Ms)} / ${fmt(p.off.p99Ms)} | ${fmt(p.p50Ratio)}× | ${fmt(p.p99Ratio)}× |`,
        ),
        '',
        `nvidia-smi starts in ${r.steady.windowMinutes} min of steady state: ${r.steady.starts} (${fmt(r.steady.perMinute)} / min, target ≤ 1; ${kinds || 'none'}; shortest gap ${fmt(r.steady.minGapSeconds, 1)} s).`,
      ],
    };
  },
  probe: async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    const results = await benchProbe({ targets: 200, intervals: quick ? 2 : 4, intervalSeconds: 15 });
    return {
      json: results,
      lines: [
        'One real sshd standing for 200 targets, each probed once per 15 s interval (spread over it). Pooled: the `tierwise probe` process asked over HTTP, steady state after the first (connecting) interval, its RSS from /proc. Fresh: a connection per probe, in the benchmark process, one interval.',
        '',
        '| connections | probes | failed | p50 ms | p99 ms (target ≤ 50 pooled) | SSH logins | RSS max MiB (target ≤ 150) |',
        '|---|---|---|---|---|---|---|',
        ...results.map(
          (r) =>
            `| ${r.mode} | ${r.probes} | ${r.failed} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${r.sshLogins} | ${r.rssMaxMiB === undefined ? 'n/a' : fmt(r.rssMaxMiB, 1)} |`,
        ),
      ],
    };
  },
  placement: async () => {
    const r = await benchPlacement({
      homelabSeeds: quick ? [1, 2] : [1, 2, 3, 4, 5],
      largeSeeds: quick ? [1] : [1, 2, 3],
      reference: process.argv.includes('--reference'),
    });
    const saving = (current: number, plan: number) =>
      `${fmt(current - plan, 3)} (${fmt((100 * (current - plan)) / current, 1)} %)`;
    const pct = (gap: number | undefined) => (gap === undefined ? 'n/a' : `${fmt(gap * 100, 3)} %`);
    return {
      json: r,
      lines: [
        `Solver load (WebAssembly compile, once per process): ${fmt(r.solverLoadMs, 0)} ms.`,
        '',
        '12 machines × 120 workloads (target: proven within 1 % of optimal in ≤ 5 s):',
        '',
        '| seed | to proven ≤ 1 % ms | gap then | planPlacement ms (stops at 0.1 %) | its status, gap | current EUR/week | greedy saving / week | MILP saving / week |',
        '|---|---|---|---|---|---|---|---|',
        ...r.homelab.map(
          (h) =>
            `| ${h.seed} | ${fmt(h.toOnePercentMs, 0)} | ${pct(h.onePercentGap)} (${h.onePercentStatus}) | ${fmt(h.planMs, 0)} | ${h.planStatus}, ${pct(h.planGap)} | ${fmt(h.current, 3)} | ${saving(h.current, h.greedy)} | ${saving(h.current, h.planned)} |`,
        ),
        '',
        '50 machines × 500 workloads (target: within 2 % of the best plan of a 10-minute solver run, in ≤ 10 s):',
        '',
        '| seed | planPlacement ms | status, gap | plan EUR/week | reference best (bound) | plan vs reference | current EUR/week | greedy saving / week | MILP saving / week |',
        '|---|---|---|---|---|---|---|---|---|',
        ...r.large.map(
          (l) =>
            `| ${l.seed} | ${fmt(l.planMs, 0)} | ${l.planStatus}, ${pct(l.planGap)} | ${fmt(l.planned, 4)} | ${l.reference ? `${fmt(l.reference.best, 4)} (${fmt(l.reference.bound, 4)})${l.reference.rerun ? ', rerun' : ''}` : 'not recorded'} | ${l.reference ? `${l.planned >= l.reference.best ? '+' : ''}${fmt((100 * (l.planned - l.reference.best)) / l.reference.best, 3)} %` : 'n/a'} | ${fmt(l.current, 3)} | ${saving(l.current, l.greedy)} | ${saving(l.current, l.planned)} |`,
        ),
      ],
    };
  },
  report: async () => {
    const r = await benchReport(
      quick ? { machines: 12, workloads: 120, runs: 1 } : { machines: 50, workloads: 500, runs: 3 },
    );
    return {
      json: r,
      lines: [
        `${r.machines} machines × ${r.workloads} workloads, two weeks of 5-minute history (${r.week} and the week before; writing it ${fmt(r.historySeconds, 1)} s, promtool backfill ${fmt(r.backfillSeconds, 1)} s), \`tierwise report --week ${r.week}\` from the bundle (target: ≤ 30 s and ≤ 300 MiB):`,
        '',
        '| run | wall s | peak RSS MiB | machines | workloads | moves |',
        '|---|---|---|---|---|---|',
        ...r.runs.map(
          (x, i) =>
            `| ${i + 1} | ${fmt(x.seconds, 1)} | ${fmt(x.peakRssMiB, 0)} | ${x.machines} | ${x.workloads} | ${x.moves} |`,
        ),
      ],
    };
  },
};

mkdirSync('.bench', { recursive: true });
const report = [`Machine: ${machineSummary()}`];
for (const [name, run] of Object.entries(sections)) {
  if (only && only !== name) continue;
  process.stderr.write(`${name}\n`);
  const { json, lines } = await run();
  writeFileSync(`.bench/${name}.json`, JSON.stringify(json, null, 2));
  report.push('', `## ${name}`, '', ...lines);
}
process.stdout.write(`${report.join('\n')}\n`);
writeFileSync('.bench/report.md', `${report.join('\n')}\n`);
