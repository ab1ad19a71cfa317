import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, parseConfig } from '../../common/config.ts';
import { ruleFiles } from '../../rules/index.ts';
import { repoRoot } from '../../test/support/agent-process.ts';
import { configErrorOf } from '../../test/support/config.ts';
import { tempDir } from '../../test/support/fixtures.ts';
import { writeStackFiles } from './files.ts';
import {
  type PrometheusConfig,
  prometheusConfig,
  type RelabelConfig,
  type ScrapeConfig,
} from './prometheus-config.ts';
import { stackPaths } from './services.ts';

const run = promisify(execFile);

const TIERWISE_YML = `
probe:
  known_hosts: /tmp/known_hosts
  targets:
    - { name: pentium2, host: 192.168.1.20, user: tierwise, key_file: /k }
    - { name: router, host: 192.168.1.1, user: monitor, key_file: /k, jump: pentium2 }
stack:
  scrape_interval: 30s
  listen: { agent: '127.0.0.1:10090', probe: ':10091', prometheus: '127.0.0.1:9090', alertmanager: '0.0.0.0:9093' }
  agents: [pi4-a:10090, 192.168.1.12:10090]
  exporters:
    - { job: node, targets: ['localhost:9100', 'nas:9100'] }
    - { job: dcgm, targets: ['gpu-box:9400'], metrics_path: /gpu-metrics }
`;

const config = parseConfig(TIERWISE_YML, 'tierwise.yml');
const RULES = ['/data/config/a.rules.yml', '/data/config/b.rules.yml'];
const built = prometheusConfig(config, { ruleFiles: RULES, hostname: 'central' });

function job(c: PrometheusConfig, name: string): ScrapeConfig {
  const found = c.scrape_configs.find((j) => j.job_name === name);
  if (!found) throw new Error(`no job ${name}`);
  return found;
}

/**
 * Prometheus' `replace` relabelling (the only action the stack uses) on one target, enough to show
 * which labels a target ends up with. Its regexes are RE2, anchored; these ones mean the same in JS.
 */
function relabel(
  configs: RelabelConfig[] | undefined,
  labels: Record<string, string>,
): Record<string, string> {
  const out = { ...labels };
  for (const c of configs ?? []) {
    const value = (c.source_labels ?? []).map((l) => out[l] ?? '').join(';');
    const match = new RegExp(`^(?:${c.regex ?? '(.*)'})$`).exec(value);
    if (!match) continue;
    out[c.target_label] = (c.replacement ?? '$1').replace(
      /\$(\d+)/g,
      (_, n: string) => match[Number(n)] ?? '',
    );
  }
  // Prometheus' own default: instance is the address unless relabelling set it.
  out.instance ??= out.__address__ ?? '';
  return out;
}

/** The labels of every target of a job, after relabelling. */
function targetsOf(name: string, c = built): Record<string, string>[] {
  const j = job(c, name);
  return j.static_configs.flatMap((s) =>
    s.targets.map((t) => relabel(j.relabel_configs, { __address__: t })),
  );
}

describe('prometheus.yml for the stack', () => {
  it('scrapes every part of the stack, each job once', () => {
    expect(built.scrape_configs.map((j) => j.job_name)).toEqual([
      'tierwise-agent',
      'tierwise-probe',
      'tierwise-probe-self',
      'node',
      'dcgm',
      'prometheus',
      'alertmanager',
    ]);
  });

  it('names each machine by its host, and this one by its hostname', () => {
    expect(targetsOf('tierwise-agent').map((t) => [t.__address__, t.instance])).toEqual([
      ['127.0.0.1:10090', 'central'],
      ['pi4-a:10090', 'pi4-a'],
      ['192.168.1.12:10090', '192.168.1.12'],
    ]);
    // node_exporter on this machine joins this machine's agent on instance.
    expect(targetsOf('node').map((t) => t.instance)).toEqual(['central', 'nas']);
    expect(targetsOf('dcgm').map((t) => t.instance)).toEqual(['gpu-box']);
    expect(job(built, 'dcgm').metrics_path).toBe('/gpu-metrics');
    for (const self of ['tierwise-probe-self', 'prometheus', 'alertmanager'])
      expect(targetsOf(self).map((t) => t.instance)).toEqual(['central']);
  });

  it('asks the probe server for each target by name, the name becoming the instance', () => {
    expect(job(built, 'tierwise-probe').metrics_path).toBe('/probe');
    expect(targetsOf('tierwise-probe')).toEqual([
      { __address__: '127.0.0.1:10091', __param_target: 'pentium2', instance: 'pentium2' },
      { __address__: '127.0.0.1:10091', __param_target: 'router', instance: 'router' },
    ]);
  });

  it('reaches wildcard listeners on loopback', () => {
    expect(targetsOf('tierwise-probe-self')[0]?.__address__).toBe('127.0.0.1:10091');
    expect(built.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['127.0.0.1:9093']);
  });

  it('evaluates the rules at the scrape interval and gives scrapes a timeout within it', () => {
    expect(built.rule_files).toEqual(RULES);
    expect(built.global).toEqual({
      scrape_interval: '30s',
      scrape_timeout: '10s',
      evaluation_interval: '30s',
    });
    // SSH probes get the whole interval, so a target's own deadline passes first and says why.
    expect(job(built, 'tierwise-probe').scrape_timeout).toBe('30s');
    const fast = prometheusConfig(parseConfig('stack: { scrape_interval: 1s }', 'fast.yml'), {
      ruleFiles: [],
      hostname: 'h',
    });
    expect(fast.global.scrape_timeout).toBe('1s');
  });

  it('scrapes the collector on this machine when a tariff lets it price energy', () => {
    const priced = parseConfig(`${TIERWISE_YML}\ntariff: { price_per_kwh: 0.3 }\n`, 'tierwise.yml');
    const c = prometheusConfig(priced, { ruleFiles: RULES, hostname: 'central' });
    expect(targetsOf('tierwise-collector', c).map((t) => [t.__address__, t.instance])).toEqual([
      ['127.0.0.1:10092', 'central'],
    ]);
    // The machine each cost series prices stays `instance` (not exported_instance) for rules and dashboards.
    expect(c.scrape_configs.find((j) => j.job_name === 'tierwise-collector')?.honor_labels).toBe(true);
    expect(built.scrape_configs.map((j) => j.job_name)).not.toContain('tierwise-collector');
  });

  it('leaves the probe out when there are no probe targets', () => {
    const jobs = prometheusConfig(parseConfig('', 'empty.yml'), {
      ruleFiles: [],
      hostname: 'h',
    }).scrape_configs;
    expect(jobs.map((j) => j.job_name)).toEqual(['tierwise-agent', 'prometheus', 'alertmanager']);
  });

  it('is a config promtool accepts, with the rule files it names', async () => {
    const dir = await tempDir('stack-config');
    const paths = stackPaths(dir);
    const { ruleFiles: written } = await writeStackFiles(config, paths, 'central');
    expect(written.map((f) => path.basename(f))).toEqual(ruleFiles(config).map((f) => f.file));
    const onDisk = parse(await readFile(paths.prometheusConfig, 'utf8')) as PrometheusConfig;
    expect(onDisk.rule_files).toEqual(written);
    expect(onDisk.scrape_configs).toEqual(
      prometheusConfig(config, { ruleFiles: written, hostname: 'central' }).scrape_configs,
    );
    const { stdout } = await run('promtool', ['check', 'config', paths.prometheusConfig]);
    expect(stdout).toContain(`SUCCESS: ${written.length} rule files found`);
  });
});

describe('stack: in tierwise.yml', () => {
  it("builds from the documented example's stack section", async () => {
    const example = await loadConfig(path.join(repoRoot, 'examples/tierwise.yml'));
    const c = prometheusConfig(example, { ruleFiles: [], hostname: 'central' });
    expect(c.scrape_configs.map((j) => j.job_name)).toContain('nvidia-gpu');
    expect(targetsOf('tierwise-agent', c).map((t) => t.instance)).toEqual(['central', 'pi4-a', 'pi4-b']);
  });

  it.each([
    [
      'a job name the stack uses itself',
      "exporters: [{ job: prometheus, targets: ['a:1'] }]",
      'stack.exporters.0.job',
    ],
    [
      'a job listed twice',
      "exporters: [{ job: n, targets: ['a:1'] }, { job: n, targets: ['b:1'] }]",
      'stack.exporters.1.job',
    ],
    ['two listeners on one port', "listen: { agent: '127.0.0.1:9090' }", 'stack.listen.prometheus'],
    ['an agent without a port', 'agents: [pi4-a]', 'stack.agents.0'],
  ])('refuses %s, naming the key', (_what, yaml, key) => {
    const err = configErrorOf(`stack:\n  ${yaml}\n`);
    expect(err?.problems.join('\n')).toContain(`${key}: `);
  });
});
