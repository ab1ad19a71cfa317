import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Advice } from '../../collector/advisor/advice.ts';
import { type Scenario, tariffSchema } from '../../cost/scenario.ts';
import { rateAt } from '../../cost/tariff.ts';
import { WHAT_IF_EXAMPLE } from '../support/advice.ts';
import { backfillHistory, MACHINE_FACTS, TARIFF } from '../support/advise-history.ts';
import { bundle, type RunningCollector, startCollectorProcess } from '../support/agent-process.ts';
import { parseExposition } from '../support/exposition.ts';
import { tempDir } from '../support/fixtures.ts';
import { freePort, waitFor } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

// A week of a four-machine homelab (test/support/advise-history.ts) backfilled into Debian's Prometheus
// as the tierwise:* contract and inventory series, then read by the bundled CLI (the same history in
// Debian's VictoriaMetrics gives the same plan: advise-victoriametrics.test.ts).

let prometheus: TestPrometheus;
let empty: TestPrometheus;
let dir: string;
let config: string;

beforeAll(async () => {
  const end = Math.floor(Date.now() / 1000) - 60;
  // A little over a week, so the whole 7-day window has data.
  [prometheus, empty] = await Promise.all([
    startPrometheus([], '15s', (dataDir) => backfillHistory(dataDir, { end, days: 7.1 })),
    startPrometheus([], '15s'),
  ]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-advise-e2e-'));
  config = path.join(dir, 'tierwise.yml');
  await writeFile(
    config,
    stringify({
      tariff: TARIFF,
      machines: MACHINE_FACTS,
      // The collector's weekly report is report-browser.test.ts's; here it would only write files.
      report: { in_collector: false },
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), empty?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const tierwise = (...args: string[]) =>
  spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', timeout: 60_000 });
const advise = (...args: string[]) => tierwise('advise', ...args);

describe('tierwise advise --prometheus', () => {
  it('switches the idle old desktop off, its x86-only service to the N100, and leaves the GPU work be', () => {
    const started = performance.now();
    const run = advise('--prometheus', prometheus.url, '--window', '7d', '--config', config, '--json');
    const seconds = (performance.now() - started) / 1000;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const advice = JSON.parse(run.stdout) as Advice;
    expect(advice.confidence).toBe('ok');
    expect(advice.source).toEqual({ kind: 'prometheus', url: prometheus.url, window: '7d' });
    expect(advice.costs.coverage).toBeGreaterThan(0.99);
    expect(advice.costs.machines.map((m) => m.name).sort()).toEqual([
      'gpu-box',
      'n100',
      'old-desktop',
      'pi4',
    ]);
    // About 44 W for 168 h, at the wall.
    const desktop = advice.costs.machines.find((m) => m.name === 'old-desktop');
    expect(desktop?.energy_kwh).toBeGreaterThan(7);
    expect(desktop?.energy_kwh).toBeLessThan(8);
    expect(desktop?.power_source).toBe('plug');

    const { placement } = advice;
    expect(placement.power_off.map((p) => p.machine)).toEqual(['old-desktop']);
    expect(placement.power_off[0]?.saving_per_week).toBeGreaterThan(1);
    const moves = new Map(placement.moves.map((m) => [m.workload, m]));
    expect([...moves.keys()].sort()).toEqual(['backup/restic', 'net/unifi-controller', 'sonarr.service']);
    for (const m of placement.moves) expect(m.from).toBe('old-desktop');
    // The UniFi controller's image is amd64-only: the N100, never the Pi (nor the 265 W-max GPU box).
    expect(moves.get('net/unifi-controller')?.to).toBe('n100');
    expect(placement.assignment['ai/ollama']).toBe('gpu-box');
    expect(placement.assignment['home/home-assistant']).toBe('n100'); // pinned
    expect(placement.assignment['dns/pihole']).toBe('pi4'); // latency-sensitive
    expect(placement.planned_weekly_cost).toBeLessThan(placement.current_weekly_cost);
    expect(seconds).toBeLessThan(30);
  });

  it('saves the scenario it priced, which --scenario runs to the same plan', () => {
    const saved = path.join(dir, 'lab.json');
    const json = advise(
      '--prometheus',
      prometheus.url,
      '--config',
      config,
      '--save-scenario',
      saved,
      '--json',
    );
    expect(json.status).toBe(0);
    const again = advise('--scenario', saved, '--json');
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    // The Pi's power comes from a profile fitted with tierwise calibrate; the others are measured.
    const scenario = JSON.parse(readFileSync(saved, 'utf8')) as Scenario;
    expect(Object.fromEntries(scenario.machines.map((m) => [m.name, m.power.source]))).toEqual({
      'gpu-box': 'measured',
      n100: 'measured',
      'old-desktop': 'measured',
      pi4: 'calibrated',
    });
    const [a, b] = [json, again].map((r) => (JSON.parse(r.stdout) as Advice).placement);
    expect(b?.assignment).toEqual(a?.assignment);
    expect(b?.planned_weekly_cost).toBeCloseTo(a?.planned_weekly_cost ?? 0, 9);
  });

  it('prints tables, and its progress on stderr with --progress', () => {
    const run = advise('--prometheus', prometheus.url, '--config', config, '--progress');
    expect(run.status).toBe(0);
    const progress = run.stderr.trim().split('\n');
    expect(progress[0]).toBe('querying 1/15: tierwise:node_power_watts…');
    expect(progress).toContain('querying 5/15: tierwise:workload_cpu_cores:rate5m…');
    expect(progress.at(-1)).toBe('planning placement…');
    expect(run.stdout).toMatch(/^confidence: ok — data covers 100 % of the window$/m);
    expect(run.stdout).toMatch(
      /^Machines to switch off\nmachine +saving\/week +why\n─+ +─+ +─+\nold-desktop +\d+\.\d\d GBP/m,
    );
    expect(run.stdout).toMatch(/^net\/unifi-controller +old-desktop +n100 +/m);
  });

  it('states low confidence, never a plain recommendation, for a window mostly without data', () => {
    const json = advise('--prometheus', prometheus.url, '--window', '30d', '--config', config, '--json');
    expect(json.status).toBe(0);
    const advice = JSON.parse(json.stdout) as Advice;
    expect(advice.confidence).toBe('low');
    expect(advice.costs.confidence).toBe('low');
    expect(advice.warnings[0]).toMatch(/^power data covers only 2\d % of the window .*not a recommendation/);
    const table = advise('--prometheus', prometheus.url, '--window', '30d', '--config', config);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[1]).toMatch(/^CONFIDENCE: LOW — data covers 2\d % of the window/);
    expect(table.stdout).not.toContain('Recommended moves');
    expect(table.stdout).toContain('Possible moves (LOW CONFIDENCE: check the data before acting)');
  });

  it('says so clearly, naming the URL, when Prometheus is unreachable or has no data', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const down = advise('--prometheus', nowhere, '--config', config);
    expect(down.status).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr).toBe(`tierwise: cannot reach Prometheus at ${nowhere}: ECONNREFUSED\n`);

    const none = advise('--prometheus', empty.url, '--config', config);
    expect(none.status).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(
      `tierwise: Prometheus ${empty.url}: no tierwise:node_power_watts in the window: are the recording rules loaded (docs/rules.md) and the machines scraped?\n`,
    );
  });

  it('refuses unusable flags with exit 2', () => {
    for (const args of [
      ['--prometheus', prometheus.url, '--scenario', WHAT_IF_EXAMPLE],
      [],
      ['--prometheus', prometheus.url, '--window', '7x'],
      ['--scenario', WHAT_IF_EXAMPLE, '--window', '7d'],
      ['--scenario', WHAT_IF_EXAMPLE, '--save-scenario', '/tmp/x.json'],
    ]) {
      const run = advise(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
    }
    // No tariff to price with.
    const untariffed = advise('--prometheus', prometheus.url);
    expect(untariffed.status).toBe(2);
    expect(untariffed.stderr).toMatch(/no tariff: add a tariff: section .* or pass --price-per-kwh/);
    // A flat price on the command line does instead.
    expect(advise('--prometheus', prometheus.url, '--price-per-kwh', '0.3', '--json').status).toBe(0);
  });
});

describe('tierwise advise --scenario', () => {
  it('runs the engine on a what-if file', () => {
    const json = advise('--scenario', WHAT_IF_EXAMPLE, '--json');
    expect(json.stderr).toBe('');
    expect(json.status).toBe(0);
    const advice = JSON.parse(json.stdout) as Advice;
    expect(advice.source).toEqual({ kind: 'scenario', file: WHAT_IF_EXAMPLE });
    // The Pi 5 is not bought yet: priced for placement, never in the current costs.
    expect(advice.costs.machines.map((m) => m.name)).not.toContain('pi5');
    expect(advice.placement.power_off.map((p) => p.machine)).toContain('old-desktop');
    const table = advise('--scenario', WHAT_IF_EXAMPLE);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain(`tierwise advice from scenario ${WHAT_IF_EXAMPLE}`);
  });

  it('names the file and the dotted key of a bad scenario, exit 2', async () => {
    const file = path.join(await tempDir('advise-scenario'), 'bad.json');
    await writeFile(file, JSON.stringify({ window: { start: 0, end: 3600, step_seconds: 0 }, tariff: {} }));
    const run = advise('--scenario', file);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      [
        `tierwise: ${file}: invalid configuration`,
        '  window.step_seconds: Too small: expected number to be >0',
        '  tariff.price_per_kwh: Invalid input: expected number, received undefined',
        '  machines: Invalid input: expected array, received undefined',
        '',
      ].join('\n'),
    );
  });
});

describe('tierwise collector', () => {
  let collector: RunningCollector | undefined;

  afterAll(async () => {
    await collector?.stop();
  });

  it('serves the placement and its cost series from Prometheus, and the tariff price now', async () => {
    collector = await startCollectorProcess(config, prometheus.url);
    const { base } = collector;
    const started = performance.now();
    const body = await waitFor(
      '/api/placement',
      async () => {
        const res = await fetch(`${base}/api/placement`);
        return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
      },
      30_000,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${collector?.output()}`);
    });
    const firstAnswerSeconds = (performance.now() - started) / 1000;
    expect(body).toMatchObject({
      confidence: 'ok',
      stale: false,
      source: { kind: 'prometheus', window: '7d' },
    });
    expect(Date.now() - Date.parse(body.computed_at as string)).toBeLessThan(60_000);
    const placement = body.placement as Advice['placement'];
    expect(placement.power_off.map((p) => p.machine)).toEqual(['old-desktop']);
    expect(firstAnswerSeconds).toBeLessThan(30);

    const costs = (await (await fetch(`${base}/api/costs`)).json()) as { costs: Advice['costs'] };
    expect(costs.costs.machines).toHaveLength(4);

    const metrics = parseExposition(await (await fetch(`${base}/metrics`)).text());
    const price = metrics.find((m) => m.name === 'tierwise_tariff_price_per_kwh');
    expect(price?.labels).toEqual({ currency: 'GBP' });
    // Whichever band is in force now (a scrape within a second of the check).
    expect([0.09, 0.28]).toContain(price?.value);
    expect(price?.value).toBe(rateAt(tariffSchema.parse(TARIFF), Date.now() / 1000).price_per_kwh);
    const move = metrics.find(
      (m) =>
        m.name === 'tierwise_placement_move_saving_per_month' && m.labels.workload === 'net/unifi-controller',
    );
    expect(move?.labels).toEqual({
      workload: 'net/unifi-controller',
      from: 'old-desktop',
      to: 'n100',
      currency: 'GBP',
    });
    expect(metrics.find((m) => m.name === 'tierwise_placement_power_off_saving_per_month')).toMatchObject({
      labels: { instance: 'old-desktop', currency: 'GBP' },
    });
    expect(metrics.find((m) => m.name === 'tierwise_advisor_last_run_success')?.value).toBe(1);
    expect(metrics.find((m) => m.name === 'tierwise_advisor_confidence')?.value).toBe(1);
    expect(
      metrics
        .filter((m) => m.name === 'tierwise_cost_node_per_hour')
        .map((m) => m.labels.instance)
        .sort(),
    ).toEqual(['gpu-box', 'n100', 'old-desktop', 'pi4']);
  });
});
