import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { weeklyReportSchema } from '../../collector/report/model.ts';
import { type IsoWeek, lastCompleteWeek, previousWeek } from '../../collector/report/week.ts';
import { backfillHistory, MACHINE_FACTS } from '../support/advise-history.ts';
import { bundle } from '../support/agent-process.ts';
import { startHttpReceiver } from '../support/http-receiver.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

// Two weeks of the four-machine homelab of advise-prometheus.test.ts, ending where the last complete
// UTC week ends, so the report's week and the week before both have data; and two hours of a NodeDown
// alert on the Pi on the week's Tuesday, as Prometheus' own ALERTS series would hold it.

let prometheus: TestPrometheus;
let dir: string;
let config: string;
let week: IsoWeek;
const ALERT_FROM = (w: IsoWeek) => w.start + 86400 + 3600;

async function backfillAlerts(dataDir: string, w: IsoWeek): Promise<void> {
  const file = path.join(dir, 'alerts.om');
  const lines = ['# TYPE ALERTS gauge'];
  for (let t = ALERT_FROM(w); t < ALERT_FROM(w) + 7200; t += 60)
    lines.push(`ALERTS{alertname="NodeDown",alertstate="firing",instance="pi4",severity="critical"} 1 ${t}`);
  await writeFile(file, `${lines.join('\n')}\n# EOF\n`);
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dataDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

beforeAll(async () => {
  week = lastCompleteWeek(Date.now() / 1000, 'UTC');
  dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-report-e2e-'));
  prometheus = await startPrometheus([], '15s', async (dataDir) => {
    await backfillHistory(dataDir, { end: week.end, days: 14.1 });
    await backfillAlerts(dataDir, week);
  });
  config = path.join(dir, 'tierwise.yml');
  await writeFile(
    config,
    stringify({
      tariff: {
        currency: 'GBP',
        timezone: 'Europe/London',
        price_per_kwh: 0.28,
        bands: [{ from: '00:00', to: '07:00', price_per_kwh: 0.09 }],
        standing_charge_per_day: 0.5,
        carbon_g_per_kwh: 150,
      },
      machines: MACHINE_FACTS,
    }),
  );
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const report = (...args: string[]) =>
  spawnSync(process.execPath, [bundle, 'report', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('tierwise report --prometheus', () => {
  it('writes the week as HTML, Markdown and JSON: totals against last week, the moves, the alert', () => {
    const out = path.join(dir, 'out');
    const run = report(
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
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const files = ['html', 'md', 'json'].map((ext) => path.join(out, `${week.label}.${ext}`));
    expect(run.stdout).toBe(`${files.join('\n')}\n`);
    const [html, md, json] = files.map((f) => readFileSync(f, 'utf8')) as [string, string, string];

    const r = weeklyReportSchema.parse(JSON.parse(json));
    expect(r.week).toEqual({
      label: week.label,
      timezone: 'UTC',
      start: week.start,
      end: week.end,
      hours: 168,
    });
    expect(r.confidence).toBe('ok');
    expect(r.coverage.share).toBeGreaterThan(0.99);
    expect(r.coverage.missing).toEqual([]);
    // About 44 W + 54 W + 7 W + 3 W for 168 h at the wall; the same lab the week before.
    expect(r.totals.energy_kwh.value).toBeGreaterThan(15);
    expect(r.totals.energy_kwh.value).toBeLessThan(40);
    expect(r.previous_week.available).toBe(true);
    expect(Math.abs(r.totals.energy_kwh.change_ratio ?? 1)).toBeLessThan(0.02);
    expect(r.totals.carbon_kg?.value).toBeCloseTo(r.totals.energy_kwh.value * 0.15, 6);
    expect(r.tiers.map((t) => t.tier)).toEqual(['legacy-desktop', 'mini-pc', 'pi', 'workstation']);
    expect(r.machines.find((m) => m.name === 'old-desktop')?.verdict).toBe('mostly-idle-consolidate');

    expect(r.plan.power_off.map((p) => p.machine)).toEqual(['old-desktop']);
    expect(r.plan.moves.map((m) => m.workload).sort()).toEqual([
      'backup/restic',
      'net/unifi-controller',
      'sonarr.service',
    ]);
    expect(r.plan.moves.find((m) => m.workload === 'net/unifi-controller')?.to).toBe('n100');
    expect(r.power.tiers.map((t) => t.watts.length)).toEqual([168, 168, 168, 168]);

    // Backfilled ALERTS carry no stale marker, so the last sample is seen for up to Prometheus' 5-minute lookback.
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ alertname: 'NodeDown', instance: 'pi4', severity: 'critical' });
    expect(r.alerts[0]?.first_firing).toBe(ALERT_FROM(week));
    expect(r.alerts[0]?.firing_seconds).toBeGreaterThanOrEqual(7200);
    expect(r.alerts[0]?.firing_seconds).toBeLessThanOrEqual(7200 + 360);

    expect(html).not.toMatch(/<script|<link|<img|\b(src|href)\s*=/i);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('old-desktop');
    expect(md).toContain('## Recommended moves');
    expect(md).toMatch(/^\| net\/unifi-controller \| old-desktop \| n100 \| /m);
    expect(md).toMatch(/^\| NodeDown \| pi4 \| critical \| /m);
  });

  it('defaults to the last complete week, printing progress with --progress', () => {
    const out = path.join(dir, 'default');
    const run = report(
      '--prometheus',
      prometheus.url,
      '--tz',
      'UTC',
      '--out',
      out,
      '--config',
      config,
      '--progress',
    );
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(path.join(out, `${week.label}.html`));
    const lines = run.stderr.trim().split('\n');
    // The week before first (its costs only), then the week itself, then its plan.
    const first = (label: string) => lines.indexOf(`${label}: querying 1/15: tierwise:node_power_watts…`);
    expect(first(previousWeek(week).label)).toBe(0);
    expect(first(week.label)).toBeGreaterThan(0);
    expect(lines.indexOf(`${week.label}: planning placement…`)).toBeGreaterThan(first(week.label));
    expect(lines.at(-1)).toBe(`${week.label}: querying ALERTS…`);
  });

  it('refuses a week that does not exist or has not ended with exit 2', () => {
    for (const w of ['2025-W53', '2026-47', '2999-W01']) {
      const run = report('--prometheus', prometheus.url, '--week', w, '--out', dir, '--config', config);
      expect(run.status, w).toBe(2);
      expect(run.stdout).toBe('');
    }
    expect(
      report('--prometheus', prometheus.url, '--tz', 'Mars/Olympus', '--out', dir, '--config', config).stderr,
    ).toMatch(/unknown time zone "Mars\/Olympus"/);
  });

  it('keeps the report on disk, sends it with --deliver, and exits 1 naming a destination that failed', async () => {
    const hook = await startHttpReceiver();
    try {
      const out = path.join(dir, 'delivered');
      const deliverConfig = path.join(dir, 'deliver.yml');
      await writeFile(
        deliverConfig,
        stringify({
          ...parse(readFileSync(config, 'utf8')),
          report: {
            out_dir: out,
            timeout_seconds: 2,
            retries: { attempts: 2, initial_delay_seconds: 0.01, max_delay_seconds: 0.01 },
            destinations: [
              { type: 'webhook', url: `${hook.url}/report` },
              // Nothing listens on port 1: refused at once, twice.
              { type: 'webhook', name: 'gone', url: 'http://127.0.0.1:1/' },
            ],
          },
        }),
      );
      // Asynchronously, so this process's receiver can answer meanwhile.
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [
            bundle,
            'report',
            '--prometheus',
            prometheus.url,
            '--week',
            week.label,
            '--config',
            deliverConfig,
            '--deliver',
          ],
          { encoding: 'utf8', timeout: 120_000 },
          (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
      });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain('not delivered to webhook gone');
      expect(run.stderr).toContain(`the report is in ${out}`);
      for (const ext of ['html', 'md', 'json'])
        expect(existsSync(path.join(out, `${week.label}.${ext}`))).toBe(true);
      const sent = await hook.waitFor('the report', (r) => r.url === '/report');
      expect(JSON.parse(sent.body)).toMatchObject({ week: week.label });
    } finally {
      await hook.stop();
    }
  });
});
