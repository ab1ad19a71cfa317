/**
 * `npm run bench`: measured figures for docs/benchmarks.md. Not part of the test suite: timings vary
 * with the machine, so they are recorded with the command and the machine, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchAgentVsNodeExporter } from './agent-vs-node-exporter.ts';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

const quick = process.argv.includes('--quick');
process.stderr.write('agent vs node_exporter\n');
const agent = await benchAgentVsNodeExporter(
  quick ? { rounds: 2, perRound: 100, idleSeconds: 5 } : { rounds: 10, perRound: 500, idleSeconds: 60 },
);

const fmt = (n: number, d = 2) => n.toFixed(d);
const lines = [
  `Machine: ${agent.machine}`,
  '',
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
const report = lines.join('\n');
process.stdout.write(`${report}\n`);
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/agent-vs-node-exporter.json', JSON.stringify(agent, null, 2));
writeFileSync('.bench/agent-vs-node-exporter.md', `${report}\n`);
