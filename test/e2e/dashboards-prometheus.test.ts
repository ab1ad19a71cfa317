import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultConfig } from '../../common/config.ts';
import { dashboards, GENERATED_DASHBOARDS_DIR } from '../../dashboards/index.ts';
import { parseMountinfo } from '../../exporters/parsers/mountinfo.ts';
import { writeRuleFiles } from '../../rules/index.ts';
import { backfillHistory, MACHINE_FACTS, TARIFF } from '../support/advise-history.ts';
import {
  bundle,
  type RunningAgent,
  type RunningCollector,
  startAgentProcess,
  startCollectorProcess,
} from '../support/agent-process.ts';
import { type FakeNvidiaSmi, fakeNvidiaSmi } from '../support/fake-nvidia-smi.ts';
import { readFixture, tempDir } from '../support/fixtures.ts';
import { gpuWorkstationAgent, startPlugHttpServer } from '../support/plug-servers.ts';
import { freePort, type Started, startProcess } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';
import { type Sshd, startSshd } from '../support/sshd.ts';

/** cgroup v2 (pure, or hybrid's unified tree), where the agent runs as a named service. */
const v2Root = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).find(
  (m) => m.fsType === 'cgroup2',
)?.mountPoint;

/**
 * Panels that cannot show data on this machine, each with the reason. Anything else that comes back
 * empty fails the test.
 */
const EMPTY_HERE: Record<string, string> = {
  'tierwise-machine / CPU temperature':
    'this VM has no hwmon chip and no thermal zone (the agent reports collectors "hwmon" and "thermal_zone" as no data)',
  ...(!v2Root &&
    Object.fromEntries(
      ['Monitoring power', 'Monitoring cost per week', 'Monitoring workloads'].map((title) => [
        `tierwise-self / ${title}`,
        'no cgroup v2 tree here to run the agent as the workload tierwise-agent.service',
      ]),
    )),
};

/** The machine the Machine dashboard is looked at for: the agent with every stand-in. */
const MACHINE = 'gpubox';

interface PromAnswer {
  status: string;
  error?: string;
  data: { result: unknown[] } | string[];
}

interface Target {
  expr: string;
  instant?: boolean;
}

/** What the test reads of a dashboard's JSON. */
interface DashboardJson {
  uid: string;
  time: { from: string };
  templating: { list: Variable[] };
  panels: { type: string; title: string; targets?: Target[] }[];
}

interface Variable {
  type: string;
  name: string;
  query?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  current?: { value: string | string[] };
}

/** Grafana's `$__rate_interval` for a step, with the Prometheus data source's default 15 s scrape interval. */
const rateInterval = (step: number) => Math.max(step + 15, 60);

/** `$name` and `${name}`, longest names first so `$__range_s` is not read as `$__range`. */
function substitute(expr: string, values: Record<string, string>): string {
  let out = expr;
  for (const name of Object.keys(values).sort((a, b) => b.length - a.length))
    out = out.replaceAll(`\${${name}}`, values[name] ?? '').replaceAll(`$${name}`, values[name] ?? '');
  return out;
}

/**
 * The generated dashboards against Debian's Prometheus with the recording and alert rules loaded. It
 * scrapes the bundled agent (with a replayed Shelly plug and a stand-in nvidia-smi replaying an RTX 4080
 * SUPER, run as the systemd-style workload `tierwise-agent.service`) as machine "gpubox", `tierwise
 * probe` reading Debian's sshd as "old-box", a switched-off "old-desktop", and `tierwise collector`
 * pricing a backfilled week of a four-machine homelab (test/support/advise-history.ts). Every variable
 * and panel query of the committed JSON is run as Grafana would run it.
 */
describe('the dashboards over real exporters', () => {
  let prom: TestPrometheus;
  let agent: RunningAgent;
  let gpu: FakeNvidiaSmi;
  let sshd: Sshd;
  let probe: Started;
  let collector: RunningCollector;
  const slice = v2Root && path.join(v2Root, 'tierwise-e2e-dashboards.slice');

  // The plug's replay server and tempDir close with the test that started them, so all starts in it.
  async function start() {
    const dir = await tempDir('dashboards-e2e');
    const end = Math.floor(Date.now() / 1000);
    const plug = await startPlugHttpServer({
      '/status': readFixture('smart-plugs/shelly/gen1_plug-s_status.json'),
    });
    gpu = await fakeNvidiaSmi({ captures: ['rtx4080'] });
    sshd = await startSshd();
    const config = path.join(dir, 'tierwise.yml');
    const knownHosts = path.join(dir, 'known_hosts');
    await writeFile(knownHosts, `${sshd.knownHostsLine}\n`);
    await writeFile(
      config,
      stringify({
        agent: gpuWorkstationAgent(plug.address, gpu.bin),
        probe: {
          known_hosts: knownHosts,
          targets: [
            {
              name: 'old-box',
              host: sshd.host,
              port: sshd.port,
              user: sshd.user,
              key_file: sshd.clientKey.privateFile,
              tier: 'ancient',
            },
          ],
        },
        tariff: TARIFF,
        machines: MACHINE_FACTS,
        // The collector's weekly report is report-browser.test.ts's; here it would only write files.
        report: { in_collector: false },
      }),
    );
    agent = await startAgentProcess([`--config=${config}`]);
    if (slice) {
      const unit = path.join(slice, 'tierwise-agent.service');
      mkdirSync(unit, { recursive: true });
      writeFileSync(path.join(unit, 'cgroup.procs'), String(agent.child.pid));
    }
    const [probePort, collectorPort, offPort] = await Promise.all([freePort(), freePort(), freePort()]);
    probe = startProcess(process.execPath, [
      bundle,
      'probe',
      `--config=${config}`,
      `--web.listen-address=127.0.0.1:${probePort}`,
    ]);
    prom = await startPrometheus({
      scrapeConfigs: [
        {
          job_name: 'tierwise-agent',
          static_configs: [
            { targets: [agent.address], labels: { instance: MACHINE } },
            // Nothing listens there: the old desktop is switched off.
            { targets: [`127.0.0.1:${offPort}`], labels: { instance: 'old-desktop' } },
          ],
        },
        {
          job_name: 'tierwise-probe',
          metrics_path: '/probe',
          static_configs: [{ targets: ['old-box'] }],
          relabel_configs: [
            { source_labels: ['__address__'], target_label: '__param_target' },
            { source_labels: ['__param_target'], target_label: 'instance' },
            { target_label: '__address__', replacement: `127.0.0.1:${probePort}` },
          ],
        },
        {
          // The collector labels its per-machine series with the machine's instance.
          job_name: 'tierwise-collector',
          honor_labels: true,
          // Time to answer while it prices the week: a failed scrape would mark the tariff stale, and
          // every cost rule would come back empty until the next one.
          scrape_interval: '5s',
          scrape_timeout: '5s',
          static_configs: [{ targets: [`127.0.0.1:${collectorPort}`], labels: { instance: MACHINE } }],
        },
      ],
      ruleFiles: await writeRuleFiles(path.join(dir, 'rules'), defaultConfig()),
      // A week and a bit, up to the moment the test starts, so the collector's 7-day window is covered.
      seed: (dataDir) =>
        backfillHistory(dataDir, { end, days: 7.1, stepSeconds: 240, inventorySeconds: 240 }),
    });
    collector = await startCollectorProcess(config, prom.url, collectorPort);
    // Everything the panels read has been scraped, rated and recorded for a few evaluations in a row,
    // so the ends of the rule chains (cost per workload) are there at the moment a panel asks.
    const settled = (expr: string) => `count_over_time(${expr}[1m]) >= 5`;
    for (const expr of [
      'tierwise_placement_saving_per_week',
      'ALERTS{alertname="TierwiseTargetDown", instance="old-desktop"}',
      settled('tierwise_probe_success{instance="old-box"}'),
      settled(
        `tierwise:workload_cost_per_hour{instance="${MACHINE}", workload=~"${slice ? 'tierwise-agent.service' : '.+'}"}`,
      ),
    ])
      await prom.waitForQuery(expr, undefined, 45_000).catch((err: Error) => {
        throw new Error(`${err.message}\ncollector: ${collector.output()}\nprobe: ${probe.output()}`);
      });
  }

  afterAll(async () => {
    await prom?.stop();
    await collector?.stop();
    await probe?.stop();
    await agent?.stop();
    await sshd?.stop();
    await gpu?.remove();
    if (slice) {
      rmdirSync(path.join(slice, 'tierwise-agent.service'));
      rmdirSync(slice);
    }
  });

  const api = async (endpoint: string, params: Record<string, string>): Promise<PromAnswer> =>
    (await (
      await fetch(`${prom.url}/api/v1/${endpoint}?${new URLSearchParams(params)}`)
    ).json()) as PromAnswer;

  /** Grafana's `label_values(selector, label)`, over the dashboard's time range. */
  async function labelValues(query: string, start: number, now: number): Promise<string[]> {
    const m = /^label_values\((.+), *(\w+)\)$/s.exec(query);
    if (!m?.[1] || !m[2]) throw new Error(`not a label_values() query: ${query}`);
    const answer = await api(`label/${m[2]}/values`, {
      'match[]': m[1],
      start: String(start),
      end: String(now),
    });
    if (answer.status !== 'success') throw new Error(`${query}: ${answer.error}`);
    return answer.data as string[];
  }

  it('parses every query and shows data in every panel', async () => {
    await start();
    const failures: string[] = [];
    const empty: string[] = [];
    const seen = new Set<string>();
    for (const { file } of dashboards()) {
      const d = JSON.parse(readFileSync(path.join(GENERATED_DASHBOARDS_DIR, file), 'utf8')) as DashboardJson;
      const now = Date.now() / 1000;
      const [, amount, unit] = /^now-(\d+)([hd])$/.exec(d.time.from) ?? [];
      const range = Number(amount) * (unit === 'd' ? 86400 : 3600);
      expect(range, `${d.uid} time range`).toBeGreaterThan(0);
      // About one point per pixel of a wide panel, whole seconds, with `now` the last point.
      const step = Math.max(15, Math.round(range / 500));
      const start = now - Math.floor(range / step) * step;
      const values: Record<string, string> = {
        __rate_interval: `${rateInterval(step)}s`,
        __interval: `${step}s`,
        __range: `${Math.round(range)}s`,
        __range_s: String(Math.round(range)),
      };
      for (const v of d.templating.list) {
        if (v.type === 'datasource') continue;
        if (v.type === 'textbox') {
          values[v.name] = String(v.current?.value ?? '');
          continue;
        }
        const options = await labelValues(substitute(v.query ?? '', values), start, now);
        if (options.length === 0) failures.push(`${d.uid}: variable ${v.name} lists nothing`);
        if (v.multi && v.includeAll) values[v.name] = v.allValue ?? '';
        else {
          expect(options, `${d.uid}: $${v.name}`).toContain(MACHINE);
          values[v.name] = MACHINE;
        }
      }
      for (const panel of d.panels) {
        if (panel.type === 'row') continue;
        const name = `${d.uid} / ${panel.title}`;
        seen.add(name);
        let series = 0;
        for (const t of panel.targets ?? []) {
          const query = substitute(t.expr, values);
          const answer = t.instant
            ? await api('query', { query, time: String(now) })
            : await api('query_range', { query, start: String(start), end: String(now), step: String(step) });
          if (answer.status !== 'success') failures.push(`${name}: ${answer.error}\n${query}`);
          else series += (answer.data as { result: unknown[] }).result.length;
        }
        if (series === 0) empty.push(name);
      }
    }
    expect(failures).toEqual([]);
    expect(empty.filter((p) => !(p in EMPTY_HERE))).toEqual([]);
    // The list names panels that exist, so it cannot outlive them.
    expect(Object.keys(EMPTY_HERE).filter((p) => !seen.has(p))).toEqual([]);
  }, 120_000);
});
