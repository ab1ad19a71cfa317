import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Advice } from '../../collector/advisor/advice.ts';
import { adviseJson } from '../support/advice.ts';
import { historyForImport, MACHINE_FACTS, TARIFF, WORKLOADS } from '../support/advise-history.ts';
import { waitFor } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';
import { startVictoriaMetrics, type TestVictoriaMetrics } from '../support/victoriametrics.ts';

// Scale-out as docs/deploy.md sets it up: Prometheus scrapes and forwards every sample it ingests to
// VictoriaMetrics with remote_write, and the collector reads VictoriaMetrics. remote_write reads
// Prometheus' write-ahead log and sends only samples stamped after Prometheus started: history backfilled
// as blocks, or scraped with older timestamps, never leaves. So the test data is the homelab of
// test/support/advise-history.ts made new: two and a half minutes of it, stamped from just after
// Prometheus came up, served in one scrape with each sample's own timestamp. Once both stores hold every
// sample, advice over half a minute of it, read from each, must be the same.

const STEP_SECONDS = 5;
const WINDOW_SECONDS = 30;
/** The advisor leaves the newest minute out (collector/advisor/prometheus-scenario.ts). */
const SETTLE_SECONDS = 60;
const SPAN_SECONDS = 150;

let prometheus: TestPrometheus;
let vm: TestVictoriaMetrics;
let replay: http.Server;
let dir: string;
let config: string;
let samplesWritten: number;
/** The history's metric names: range functions drop the name, so each is counted on its own. */
let names: string[];
let historyStart: number;
let historyEnd: number;

/** Serves the history once, then an empty page: each sample reaches Prometheus exactly once. */
async function serveOnce(text: () => string): Promise<string> {
  let served = false;
  replay = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(served ? '' : text());
    served = true;
  });
  await new Promise<void>((resolve) => replay.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(replay.address() as AddressInfo).port}`;
}

/** One number over the whole history; VictoriaMetrics' response cache is bypassed. */
async function queryNumber(url: string, expr: string): Promise<number> {
  const res = await fetch(
    `${url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${historyEnd}&nocache=1`,
  );
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data: { result: { value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`${url} ${expr}: ${body.error}`);
  return Number(body.data.result[0]?.value[1] ?? 0);
}

/** Series or samples of the whole history held by one store. */
async function total(url: string, count: 'series' | 'samples'): Promise<number> {
  const outer = count === 'series' ? 'count' : 'sum';
  const range = `${SPAN_SECONDS + 60}s`;
  const each = await Promise.all(
    names.map((n) => queryNumber(url, `${outer}(count_over_time(${n}[${range}]))`)),
  );
  return each.reduce((a, b) => a + b, 0);
}

beforeAll(async () => {
  let text = '';
  const history = await serveOnce(() => text);
  vm = await startVictoriaMetrics();
  prometheus = await startPrometheus({
    scrapeConfigs: [
      {
        job_name: 'history',
        // The history's own instance and job labels; no job label on the contract series, as the
        // recording rules write them.
        honor_labels: true,
        static_configs: [{ targets: [history] }],
        metric_relabel_configs: [
          { source_labels: ['job'], regex: 'history', target_label: 'job', replacement: '' },
        ],
      },
    ],
    remoteWrite: [`${vm.url}/api/v1/write`],
  });
  // Stamped from after Prometheus started, partly ahead of the clock, so that the advice window can lie
  // wholly inside it; written before the first scrape asks for it.
  historyStart = Math.ceil(Date.now() / 1000) + 1;
  historyEnd = historyStart + SPAN_SECONDS;
  text = await historyForImport({
    end: historyEnd,
    days: SPAN_SECONDS / 86400,
    stepSeconds: STEP_SECONDS,
    inventorySeconds: STEP_SECONDS,
  });
  const lines = text.split('\n').filter((line) => line !== '');
  samplesWritten = lines.length;
  names = [...new Set(lines.map((line) => line.slice(0, line.indexOf('{'))))];
  // All of it in Prometheus, then all of it in VictoriaMetrics, before any advice is asked for.
  await waitFor('the history scraped by Prometheus', async () =>
    (await total(prometheus.url, 'samples')) === samplesWritten ? true : undefined,
  );
  await waitFor('the history remote-written to VictoriaMetrics', async () =>
    (await total(vm.url, 'samples')) === samplesWritten ? true : undefined,
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-remote-write-e2e-'));
  config = path.join(dir, 'tierwise.yml');
  await writeFile(config, stringify({ tariff: TARIFF, machines: MACHINE_FACTS }));
}, 120_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), vm?.stop()]);
  replay?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function adviseFrom(url: string): Promise<Advice> {
  const { advice, stderr } = await adviseJson(url, [
    '--window',
    `${WINDOW_SECONDS}s`,
    '--step',
    `${STEP_SECONDS}s`,
    '--config',
    config,
  ]);
  expect(stderr).toBe('');
  return advice;
}

/** The window ends on the last 5-minute step before now: both asked at once, again if they straddled one. */
async function adviseFromBoth(): Promise<[Advice, Advice]> {
  for (;;) {
    const both = await Promise.all([adviseFrom(prometheus.url), adviseFrom(vm.url)]);
    if (both[0].costs.window.start === both[1].costs.window.start) return both;
  }
}

describe('Prometheus remote_write to VictoriaMetrics', () => {
  it('delivers every scraped sample, series by series', async () => {
    expect(samplesWritten).toBeGreaterThan(1000);
    const [inProm, inVm] = await Promise.all([prometheus.url, vm.url].map((url) => total(url, 'series')));
    expect(inProm).toBeGreaterThan(40);
    expect(inVm).toBe(inProm);
  });

  it('gives tierwise advise the same plan from VictoriaMetrics as from Prometheus', async () => {
    // The whole window inside the history: its start after the first sample.
    const wait = historyStart + WINDOW_SECONDS + SETTLE_SECONDS + STEP_SECONDS - Date.now() / 1000;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    const [fromProm, fromVm] = await adviseFromBoth();
    expect(fromVm.costs.window.end).toBeLessThanOrEqual(historyEnd);
    expect(fromVm.source).toEqual({ kind: 'prometheus', url: vm.url, window: '30s' });
    expect(fromVm.costs.coverage).toBeGreaterThan(0.99);
    expect(fromVm.confidence).toBe(fromProm.confidence);
    expect(fromVm.warnings).toEqual(fromProm.warnings);

    const plan = fromVm.placement;
    const reference = fromProm.placement;
    // Every machine and workload of the history is priced, so an empty or partial store cannot pass.
    expect(Object.keys(plan.assignment).sort()).toEqual(WORKLOADS.map((w) => w.workload).sort());
    expect(plan.assignment).toEqual(reference.assignment);
    expect(plan.power_off.map((p) => p.machine)).toEqual(reference.power_off.map((p) => p.machine));
    expect(plan.moves.map((m) => [m.workload, m.from, m.to])).toEqual(
      reference.moves.map((m) => [m.workload, m.from, m.to]),
    );
    expect(plan.current_weekly_cost).toBeGreaterThan(0);
    expect(plan.current_weekly_cost).toBeCloseTo(reference.current_weekly_cost, 6);
    expect(plan.planned_weekly_cost).toBeCloseTo(reference.planned_weekly_cost, 6);
  }, 120_000);
});
