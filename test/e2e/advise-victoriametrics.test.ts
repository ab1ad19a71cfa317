import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Advice } from '../../collector/advisor/advice.ts';
import type { Scenario } from '../../cost/scenario.ts';
import { adviseJson } from '../support/advice.ts';
import { backfillHistory, historyForImport, MACHINE_FACTS, TARIFF } from '../support/advise-history.ts';
import { waitFor } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';
import { startVictoriaMetrics, type TestVictoriaMetrics } from '../support/victoriametrics.ts';

// The same week of homelab history (test/support/advise-history.ts) in Debian's Prometheus (backfilled
// with promtool) and Debian's VictoriaMetrics (through its import API), read by the bundled CLI from
// each: `advise --prometheus` must not care which it is talking to.

let prometheus: TestPrometheus;
let vm: TestVictoriaMetrics;
let dir: string;
let config: string;

beforeAll(async () => {
  const end = Math.floor(Date.now() / 1000) - 60;
  const history = { end, days: 7.1 };
  // Each assigned as soon as started, so afterAll stops it even when the other fails.
  await Promise.all([
    startPrometheus([], '15s', (dataDir) => backfillHistory(dataDir, history)).then((p) => {
      prometheus = p;
    }),
    startVictoriaMetrics().then(async (v) => {
      vm = v;
      await v.importPrometheus(await historyForImport(history));
    }),
  ]);
  // Every series of the history, searchable in both, before any advice is asked for. Asked of the
  // series API over the whole history: an instant query now would miss the inventory series, sampled
  // every 10 minutes, whenever their latest sample is older than the lookback.
  const seriesCount = async (url: string) => {
    const range = `start=${end - 8 * 86400}&end=${end}`;
    const res = await fetch(
      `${url}/api/v1/series?match[]=${encodeURIComponent('{__name__=~"tierwise.+"}')}&${range}`,
    );
    return ((await res.json()) as { data: unknown[] }).data.length;
  };
  const expected = await seriesCount(prometheus.url);
  expect(expected).toBeGreaterThan(40);
  await waitFor('the history in VictoriaMetrics', async () =>
    (await seriesCount(vm.url)) === expected ? true : undefined,
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-advise-vm-e2e-'));
  config = path.join(dir, 'tierwise.yml');
  await writeFile(
    config,
    stringify({
      tariff: TARIFF,
      machines: MACHINE_FACTS,
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), vm?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  advice: Advice;
  scenario: Scenario;
  seconds: number;
}

async function adviseFrom(url: string, name: string): Promise<Run> {
  const saved = path.join(dir, `${name}.json`);
  const started = performance.now();
  const { advice, stderr } = await adviseJson(url, [
    '--window',
    '7d',
    '--config',
    config,
    '--save-scenario',
    saved,
  ]);
  expect(stderr).toBe('');
  return {
    advice,
    scenario: JSON.parse(await readFile(saved, 'utf8')) as Scenario,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The CLI has no flag for the window's end: it ends on the last 5-minute step before now. Both runs go
 * at once so they land on the same grid, and again if they straddled a step boundary.
 */
async function adviseFromBoth(): Promise<[Run, Run]> {
  for (;;) {
    const runs = await Promise.all([adviseFrom(prometheus.url, 'prometheus'), adviseFrom(vm.url, 'vm')]);
    if (runs[0].advice.costs.window.start === runs[1].advice.costs.window.start) return runs;
  }
}

/** The value with every number replaced by a mark: its structure, labels and gaps. */
const shape = (v: unknown): unknown =>
  typeof v === 'number'
    ? '#'
    : Array.isArray(v)
      ? v.map(shape)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
        : v;

/** Over the numbers at the same places in two values of the same shape. */
function largestRelativeDifference(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number')
    return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return 0;
  let largest = 0;
  for (const [k, x] of Object.entries(a))
    largest = Math.max(largest, largestRelativeDifference(x, (b as Record<string, unknown>)[k]));
  return largest;
}

describe('tierwise advise --prometheus against VictoriaMetrics', () => {
  it('reads the same scenario and gives the same plan as from Prometheus', async () => {
    const [fromProm, fromVm] = await adviseFromBoth();
    const { advice } = fromVm;
    expect(advice.source).toEqual({ kind: 'prometheus', url: vm.url, window: '7d' });
    expect(advice.confidence).toBe('ok');
    expect(advice.warnings).toEqual(fromProm.advice.warnings);
    expect(advice.costs.coverage).toBeGreaterThan(0.99);

    // The cost model's whole input, series by series: the same grid, the same gaps (none at either
    // edge of the window), the same labels and facts. Values agree to the last bit or two only:
    // VictoriaMetrics stores each float as a decimal mantissa and exponent, so a value written with six
    // decimals can come back an ulp or two off (712835945.396378 as 712835945.3963782), about 1e-15 relative.
    expect(shape(fromVm.scenario)).toEqual(shape(fromProm.scenario));
    expect(largestRelativeDifference(fromVm.scenario, fromProm.scenario)).toBeLessThan(1e-12);

    const plan = advice.placement;
    const reference = fromProm.advice.placement;
    expect(plan.power_off.map((p) => p.machine)).toEqual(['old-desktop']);
    expect(plan.power_off.map((p) => p.machine)).toEqual(reference.power_off.map((p) => p.machine));
    const moves = (p: Advice['placement']) => p.moves.map((m) => `${m.workload}: ${m.from} → ${m.to}`).sort();
    expect(plan.moves.map((m) => m.workload).sort()).toEqual([
      'backup/restic',
      'net/unifi-controller',
      'sonarr.service',
    ]);
    for (const m of plan.moves) expect(m.from).toBe('old-desktop');
    expect(plan.moves.find((m) => m.workload === 'net/unifi-controller')?.to).toBe('n100');
    expect(moves(plan)).toEqual(moves(reference));
    expect(plan.assignment).toEqual(reference.assignment);
    expect(plan.planned_weekly_cost).toBeCloseTo(reference.planned_weekly_cost, 6);
    expect(plan.current_weekly_cost).toBeCloseTo(reference.current_weekly_cost, 6);
    expect(plan.planned_weekly_cost).toBeLessThan(plan.current_weekly_cost);
    for (const run of [fromProm, fromVm]) expect(run.seconds).toBeLessThan(30);
  });
});
