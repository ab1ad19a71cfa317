import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CostReport } from './cost-report.ts';
import { computeCosts } from './costs.ts';
import { type ScenarioInput, scenarioSchema, tariffSchema } from './scenario.ts';
import { priceSegments, rateAt } from './tariff.ts';

/** Random homelabs on random tariffs, windows and grids, many of them across a clock change. */

const at = (iso: string): number => Date.parse(iso) / 1000;
const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
/** Days around the 2026 clock changes of those zones, and one quiet day. */
const ANCHORS = [
  '2026-03-08',
  '2026-03-29',
  '2026-04-05',
  '2026-10-04',
  '2026-10-25',
  '2026-11-01',
  '2026-06-15',
];

/** Non-negative, and either 0 or far from underflow, so a relative tolerance means something. */
const amount = (max: number) =>
  fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max, noNaN: true, noDefaultInfinity: true }));
const hhmm = fc
  .integer({ min: 0, max: 96 })
  .map((q) => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);
const band = fc.record(
  {
    days: fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, { minLength: 1 }),
    from: hhmm,
    to: hhmm,
    price_per_kwh: amount(1),
    carbon_g_per_kwh: amount(800),
  },
  { requiredKeys: ['from', 'to', 'price_per_kwh'] },
);
const tariff = fc.record(
  {
    timezone: fc.constantFrom(...ZONES),
    price_per_kwh: amount(1),
    bands: fc.array(band, { maxLength: 4 }),
    standing_charge_per_day: amount(1),
    export_price_per_kwh: amount(0.2),
    carbon_g_per_kwh: amount(800),
  },
  { requiredKeys: ['timezone', 'price_per_kwh', 'bands'] },
);
const window = fc
  .record({
    anchor: fc.constantFrom(...ANCHORS),
    shift: fc.integer({ min: -2 * 86400, max: 2 * 86400 }),
    step_seconds: fc.constantFrom(60, 300, 900, 1800, 3600),
    steps: fc.integer({ min: 1, max: 60 }),
    shortLast: fc.double({ min: 0, max: 0.99, noNaN: true }),
  })
  .map(({ anchor, shift, step_seconds, steps, shortLast }) => {
    const start = at(`${anchor}T00:00Z`) + shift;
    return { start, end: start + Math.ceil((steps - shortLast) * step_seconds), step_seconds };
  });

const series = (n: number, max: number) =>
  fc.array(fc.option(amount(max), { nil: null, freq: 4 }), { minLength: 0, maxLength: n + 2 });

const scenario = (tariffs: fc.Arbitrary<ScenarioInput['tariff']>) =>
  fc.record({ window, tariff: tariffs }).chain(({ window, tariff }) => {
    const n = Math.ceil((window.end - window.start) / window.step_seconds);
    const machine = fc.record(
      {
        cpu_cores: fc.integer({ min: 1, max: 32 }),
        speed_score: fc.double({ min: 0.1, max: 4, noNaN: true }),
        idle_watts: amount(100),
        power_watts: series(n, 500),
        purchase_price: amount(3000),
        lifetime_years: fc.integer({ min: 1, max: 10 }),
        upkeep_per_year: amount(100),
        may_power_off: fc.boolean(),
        always_on: fc.boolean(),
        hypothetical: fc.boolean(),
      },
      { requiredKeys: ['cpu_cores', 'speed_score', 'idle_watts'] },
    );
    const workload = fc.record(
      {
        machine: fc.nat(),
        mean: amount(8),
        p95_bytes: amount(8e9),
        cpu_cores: series(n, 16),
        gpu_watts: series(n, 300),
        memory_bytes: series(n, 8e9),
      },
      { requiredKeys: ['machine', 'mean', 'p95_bytes'] },
    );
    return fc
      .record({
        machines: fc.array(machine, { minLength: 1, maxLength: 3 }),
        workloads: fc.array(workload, { maxLength: 6 }),
        idle_share: fc.constantFrom('none', 'cpu', 'memory', 'even') as fc.Arbitrary<
          'none' | 'cpu' | 'memory' | 'even'
        >,
      })
      .map(
        ({ machines, workloads, idle_share }): ScenarioInput => ({
          window,
          tariff,
          machines: machines.map(({ idle_watts, ...m }, i) => ({
            name: `m${i}`,
            tier: 'main',
            arch: 'amd64',
            memory_bytes: 8e9,
            power: { idle_watts, max_watts: idle_watts + 50, source: 'measured' },
            ...m,
          })),
          workloads: workloads.map(({ machine, mean, p95_bytes, ...w }, i) => ({
            name: `w${i}`,
            kind: 'service',
            machine: `m${machine % machines.length}`,
            cpu: { mean, p95: mean, max: mean },
            memory: { p95_bytes, max_bytes: p95_bytes },
            ...w,
          })),
          options: { idle_share },
        }),
      );
  });

const report = (input: ScenarioInput): CostReport => computeCosts(scenarioSchema.parse(input));
const closeTo = (actual: number, expected: number): boolean =>
  actual === expected || Math.abs(actual - expected) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(expected));

describe('computeCosts on random scenarios', () => {
  it('conserves each machine’s energy and cost: Σ workloads + idle + unattributed = the machine', () => {
    fc.assert(
      fc.property(scenario(tariff), (input) => {
        const r = report(input);
        for (const m of r.machines) {
          const lines = [
            ...r.workloads.filter((w) => w.machine === m.name),
            ...r.idle
              .filter((l) => l.machine === m.name)
              .map((l) => ({ energy_kwh: l.kwh, energy_cost: l.cost })),
            ...r.unattributed
              .filter((l) => l.machine === m.name)
              .map((l) => ({ energy_kwh: l.kwh, energy_cost: l.cost })),
          ];
          const kwh = lines.reduce((a, l) => a + l.energy_kwh, 0);
          const cost = lines.reduce((a, l) => a + l.energy_cost, 0);
          expect(closeTo(kwh, m.energy_kwh), `${m.name}: ${kwh} kWh of ${m.energy_kwh}`).toBe(true);
          expect(closeTo(cost, m.energy_cost), `${m.name}: ${cost} of ${m.energy_cost}`).toBe(true);
          expect(closeTo(m.idle_kwh + m.dynamic_kwh, m.energy_kwh)).toBe(true);
        }
      }),
    );
  });

  it('never reports negative energy, cost or coverage outside 0–1, and its gaps are the uncovered time', () => {
    fc.assert(
      fc.property(scenario(tariff), (input) => {
        const r = report(input);
        const figures = [
          ...r.machines.flatMap((m) => [
            m.energy_kwh,
            m.idle_kwh,
            m.dynamic_kwh,
            m.unattributed_kwh,
            m.energy_cost,
          ]),
          ...r.machines.flatMap((m) => [m.amortisation, m.total_cost, m.carbon_kg ?? 0, m.utilisation]),
          ...r.workloads.flatMap((w) => [w.cpu_kwh, w.gpu_kwh, w.idle_kwh, w.energy_kwh, w.energy_cost]),
          ...[...r.idle, ...r.unattributed].flatMap((l) => [l.kwh, l.cost]),
          r.totals.energy_kwh,
          r.totals.energy_cost,
          r.totals.standing_charge,
          r.totals.total_cost,
        ];
        expect(figures.filter((x) => !(x >= 0))).toEqual([]);
        expect(r.coverage).toBeGreaterThanOrEqual(0);
        expect(r.coverage).toBeLessThanOrEqual(1);
        const seconds = r.window.end - r.window.start;
        for (const m of r.machines) {
          const gapSeconds = m.gaps.reduce((a, g) => a + g.end - g.start, 0);
          expect(Math.abs(gapSeconds - (1 - m.coverage) * seconds)).toBeLessThan(1e-6);
        }
        expect(r.machines.map((m) => m.name)).toEqual(
          input.machines.filter((m) => m.hypothetical !== true).map((m) => m.name),
        );
      }),
    );
  });

  it('costs p × kWh for every line at a flat price p', () => {
    const flat = fc.record({ timezone: fc.constantFrom(...ZONES), price_per_kwh: amount(1) });
    fc.assert(
      fc.property(scenario(flat), (input) => {
        const p = input.tariff.price_per_kwh;
        const r = report(input);
        const lines = [
          ...r.machines.map((m) => [m.energy_kwh, m.energy_cost]),
          ...r.workloads.map((w) => [w.energy_kwh, w.energy_cost]),
          ...[...r.idle, ...r.unattributed].map((l) => [l.kwh, l.cost]),
        ] as [number, number][];
        for (const [kwh, cost] of lines)
          expect(closeTo(cost, p * kwh), `${cost} vs ${p} × ${kwh}`).toBe(true);
      }),
    );
  });
});

describe('priceSegments on random tariffs', () => {
  it('tiles the interval, each stretch at the rate in force anywhere inside it', () => {
    const interval = fc.record({
      anchor: fc.constantFrom(...ANCHORS),
      shift: fc.integer({ min: -2 * 86400, max: 2 * 86400 }),
      seconds: fc.integer({ min: 1, max: 3 * 86400 }),
      probe: fc.double({ min: 0, max: 0.999, noNaN: true }),
    });
    fc.assert(
      fc.property(tariff, interval, (input, { anchor, shift, seconds, probe }) => {
        const t = tariffSchema.parse(input);
        const start = at(`${anchor}T00:00Z`) + shift;
        const segments = priceSegments(t, start, start + seconds);
        expect(segments[0]?.start).toBe(start);
        expect(segments.at(-1)?.end).toBe(start + seconds);
        segments.forEach((s, i) => {
          expect(s.end).toBeGreaterThan(s.start);
          if (i > 0) expect(s.start).toBe(segments[i - 1]?.end);
          const inside = s.start + probe * (s.end - s.start);
          expect(rateAt(t, inside)).toEqual({
            price_per_kwh: s.price_per_kwh,
            carbon_g_per_kwh: s.carbon_g_per_kwh,
          });
        });
      }),
    );
  });
});
