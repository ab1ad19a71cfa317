import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig, parseConfig } from '../common/config.ts';
import { exampleRuleFiles, GENERATED_RULES_DIR } from './example.ts';
import { ruleFiles, writeRuleFiles } from './index.ts';
import type { AlertingRule, RecordingRule } from './types.ts';

const TESTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tests');

function promtool(...args: string[]) {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

interface PromtoolTests {
  tests: {
    promql_expr_test?: { expr: string }[];
    alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
  }[];
}

async function unitTests(): Promise<PromtoolTests['tests']> {
  const files = (await readdir(TESTS_DIR)).filter((f) => f.endsWith('.test.yml'));
  const docs = await Promise.all(
    files.map(async (f) => parse(await readFile(path.join(TESTS_DIR, f), 'utf8'))),
  );
  return docs.flatMap((d: PromtoolTests) => d.tests);
}

describe('rule files', () => {
  it('committed copies in rules/generated are what the sources generate (npm run generate)', async () => {
    for (const f of exampleRuleFiles()) {
      expect(await readFile(f.path, 'utf8'), path.basename(f.path)).toBe(f.text);
    }
  });

  it('pass promtool check rules', () => {
    const files = exampleRuleFiles().map((f) => f.path);
    const r = promtool('check', 'rules', ...files);
    expect(r.output).not.toContain('FAILED');
    expect(r.status, r.output).toBe(0);
  });

  it('pass their promtool unit tests (rules/tests)', async () => {
    const files = (await readdir(TESTS_DIR)).filter((f) => f.endsWith('.test.yml'));
    expect(files.length).toBeGreaterThan(0);
    const r = promtool('test', 'rules', ...files.map((f) => path.join(TESTS_DIR, f)));
    expect(r.status, r.output).toBe(0);
  });

  it('have a promtool case for every recording rule, and a firing and a quiet case for every alert', async () => {
    const tests = await unitTests();
    const exprs = tests.flatMap((t) => t.promql_expr_test ?? []).map((t) => t.expr);
    const alertCases = tests.flatMap((t) => t.alert_rule_test ?? []);
    const rules = ruleFiles(defaultConfig()).flatMap((f) => f.groups.flatMap((g) => g.rules));
    const records = new Set(rules.filter((r): r is RecordingRule => 'record' in r).map((r) => r.record));
    const untested = [...records].filter((name) => !exprs.some((e) => e.includes(name)));
    expect(untested).toEqual([]);
    for (const a of rules.filter((r): r is AlertingRule => 'alert' in r)) {
      const cases = alertCases.filter((c) => c.alertname === a.alert);
      expect(
        cases.some((c) => (c.exp_alerts ?? []).length > 0),
        `${a.alert} has a case where it fires`,
      ).toBe(true);
      expect(
        cases.some((c) => (c.exp_alerts ?? []).length === 0),
        `${a.alert} has a case where it stays quiet`,
      ).toBe(true);
    }
  });

  it('give every alert a severity, a summary, a description and a runbook section that exists', async () => {
    const runbooks = await readFile(
      path.join(GENERATED_RULES_DIR, '..', '..', 'docs', 'runbooks.md'),
      'utf8',
    );
    const headings = new Set([...runbooks.matchAll(/^## (\S+)/gm)].map((m) => (m[1] ?? '').toLowerCase()));
    const alerts = ruleFiles(defaultConfig())
      .flatMap((f) => f.groups.flatMap((g) => g.rules))
      .filter((r): r is AlertingRule => 'alert' in r);
    expect(alerts.length).toBeGreaterThan(10);
    for (const a of alerts) {
      expect(['critical', 'warning', 'info']).toContain(a.labels.severity);
      expect(a.annotations.summary.length).toBeGreaterThan(10);
      expect(a.annotations.description.length).toBeGreaterThan(20);
      const anchor = a.annotations.runbook_url.split('#')[1] ?? '';
      expect(headings.has(anchor), `docs/runbooks.md has a "## ${a.alert}" section`).toBe(true);
    }
  });
});

describe('declared rules', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('turn tierwise.yml budgets and machine declarations into series Prometheus loads', async () => {
    const config = parseConfig(
      [
        'machines:',
        '  gpubox: { power_budget_watts: 350 }',
        '  nas: { schedule: nightly }',
        '  laptop: { may_sleep: true }',
        'budgets: { weekly_cost: 7.5 }',
        'alerting:',
        '  schedules:',
        '    nightly: { timezone: Europe/Berlin, times: [{ start: "23:00", end: "07:00" }] }',
      ].join('\n'),
      'tierwise.yml',
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-rules-'));
    dirs.push(dir);
    const files = await writeRuleFiles(dir, config);
    expect(files.map((f) => path.basename(f))).toEqual([
      'tierwise-recording.rules.yml',
      'tierwise-alerts.rules.yml',
      'tierwise-declared.rules.yml',
    ]);
    const check = promtool('check', 'rules', ...files);
    expect(check.status, check.output).toBe(0);
    const declared = path.join(dir, 'tierwise-declared.rules.yml');
    const testFile = path.join(dir, 'declared.test.yml');
    await writeFile(
      testFile,
      JSON.stringify({
        rule_files: [declared],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [],
            promql_expr_test: [
              {
                expr: 'tierwise:node_power_budget_watts',
                eval_time: '1m',
                exp_samples: [{ labels: 'tierwise:node_power_budget_watts{instance="gpubox"}', value: 350 }],
              },
              {
                expr: 'tierwise:weekly_cost_budget',
                eval_time: '1m',
                exp_samples: [{ labels: 'tierwise:weekly_cost_budget', value: 7.5 }],
              },
              {
                expr: 'tierwise:node_declared_info',
                eval_time: '1m',
                exp_samples: [
                  { labels: 'tierwise:node_declared_info{instance="gpubox", may_sleep="false"}', value: 1 },
                  { labels: 'tierwise:node_declared_info{instance="laptop", may_sleep="true"}', value: 1 },
                  {
                    labels:
                      'tierwise:node_declared_info{instance="nas", may_sleep="false", power_schedule="nightly"}',
                    value: 1,
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const r = promtool('test', 'rules', testFile);
    expect(r.status, r.output).toBe(0);
  });

  it('reject a machine that names a schedule that does not exist', () => {
    expect(() => parseConfig('machines:\n  nas: { schedule: weekends }\n', 'tierwise.yml')).toThrow(
      /machines\.nas\.schedule: expected the name of a schedule in alerting\.schedules, got "weekends"/,
    );
  });
});
