import { describe, expect, it } from 'vitest';
import { computeCosts } from './costs.ts';
import { type ScenarioInput, scenarioSchema } from './scenario.ts';

const at = (iso: string): number => Date.parse(iso) / 1000;
const HOUR = 3600;
const YEAR = 365.25 * 24 * HOUR;
const close = (value: number) => expect.closeTo(value, 12);

type MachineInput = ScenarioInput['machines'][number];
type WorkloadInput = NonNullable<ScenarioInput['workloads']>[number];

const machine = (name: string, extra: Partial<MachineInput>): MachineInput => ({
  name,
  tier: 'main',
  arch: 'amd64',
  cpu_cores: 4,
  speed_score: 1,
  memory_bytes: 16e9,
  power: { idle_watts: 10, max_watts: 100, source: 'measured' },
  ...extra,
});
const workload = (name: string, machineName: string, extra: Partial<WorkloadInput>): WorkloadInput => ({
  name,
  kind: 'service',
  machine: machineName,
  cpu: { mean: 0, p95: 0, max: 0 },
  memory: { p95_bytes: 1e8, max_bytes: 1e8 },
  ...extra,
});
const costs = (input: ScenarioInput) => computeCosts(scenarioSchema.parse(input));

describe('computeCosts: flat tariff, two machines, three workloads', () => {
  // Four hourly samples from 10:00Z; 0.25 EUR a kWh, 0.48 a day standing.
  const start = at('2026-01-05T10:00Z');
  const report = costs({
    window: { start, end: start + 4 * HOUR, step_seconds: HOUR },
    tariff: { price_per_kwh: 0.25, standing_charge_per_day: 0.48 },
    machines: [
      machine('ryzen', {
        cpu_cores: 8,
        speed_score: 2,
        power: { idle_watts: 40, max_watts: 200, source: 'measured' },
        power_watts: [100, 140, null, 60],
        power_source: 'plug',
        purchase_price: 1200,
        salvage_value: 200,
        lifetime_years: 4,
      }),
      machine('pi', {
        tier: 'edge',
        speed_score: 0.5,
        power: { idle_watts: 4, max_watts: 8, source: 'profile' },
        power_watts: [5, 5, 5, 5],
        upkeep_per_year: 876.6,
      }),
      machine('new-nuc', { hypothetical: true, power_watts: [1000, 1000, 1000, 1000] }),
    ],
    workloads: [
      workload('web', 'ryzen', { cpu_cores: [1, 3, 2, 0] }),
      workload('ml', 'ryzen', { cpu_cores: [1, 1, 1, 0], gpu_watts: [20, 40, 40, 0] }),
      workload('dns', 'pi', { cpu_cores: [0.2, 0.2, 0.2, 0.2] }),
      workload('what-if', 'new-nuc', {}),
    ],
  });

  // ryzen, idle 40 W:
  //   10:00  100 W: 60 above idle; ml's GPU 20 → 40 for CPU, cores 1 : 1 → web 20, ml 20
  //   11:00  140 W: 100 above idle; ml's GPU 40 → 60 for CPU, cores 3 : 1 → web 45, ml 15
  //   12:00  no data: nothing counted, a gap
  //   13:00   60 W: 20 above idle, no GPU, no workload used CPU → 20 unattributed
  //   energy 300 Wh: idle 120, web 65, ml 35 + 60 GPU, unattributed 20
  // pi, idle 4 W: 5 W every hour → idle 4, dns 1; energy 20 Wh: idle 16, dns 4.
  it('splits each machine’s energy into idle, workloads and unattributed', () => {
    expect(report.machines.map((m) => m.name)).toEqual(['ryzen', 'pi']);
    expect(report.machines[0]).toMatchObject({
      name: 'ryzen',
      power_source: 'plug',
      coverage: 0.75,
      gaps: [{ start: start + 2 * HOUR, end: start + 3 * HOUR }],
      energy_kwh: close(0.3),
      idle_kwh: close(0.12),
      dynamic_kwh: close(0.18),
      unattributed_kwh: close(0.02),
      energy_cost: close(0.075),
    });
    expect(report.machines[1]).toMatchObject({
      energy_kwh: close(0.02),
      idle_kwh: close(0.016),
      energy_cost: close(0.005),
    });
    expect(report.workloads).toEqual([
      expect.objectContaining({
        name: 'web',
        machine: 'ryzen',
        cpu_kwh: close(0.065),
        gpu_kwh: 0,
        idle_kwh: 0,
      }),
      expect.objectContaining({
        name: 'ml',
        cpu_kwh: close(0.035),
        gpu_kwh: close(0.06),
        energy_cost: close(0.02375),
      }),
      expect.objectContaining({
        name: 'dns',
        machine: 'pi',
        energy_kwh: close(0.004),
        energy_cost: close(0.001),
      }),
    ]);
    expect(report.idle).toEqual([
      { machine: 'ryzen', kwh: close(0.12), cost: close(0.03) },
      { machine: 'pi', kwh: close(0.016), cost: close(0.004) },
    ]);
    expect(report.unattributed).toEqual([{ machine: 'ryzen', kwh: close(0.02), cost: close(0.005) }]);
  });

  it('adds amortisation, utilisation and cost per unit of work', () => {
    // ryzen: (1200 − 200) / 4 = 250 a year for 4 h; cores used 2, 4, 3, 0 → mean 2.25 of 8; work
    // 9 core-hours × speed 2 = 18 score-core-hours.
    const ryzenAmortisation = (250 * 4 * HOUR) / YEAR;
    expect(report.machines[0]).toMatchObject({
      amortisation: close(ryzenAmortisation),
      total_cost: close(0.075 + ryzenAmortisation),
      utilisation: 0.28125,
      cost_per_work_unit: close((0.075 + ryzenAmortisation) / 18),
      verdict: 'earns-its-place',
      reason: expect.stringContaining('28 % CPU utilisation, 60 % of its energy above idle'),
    });
    // pi: upkeep 876.6 a year for 4 h = 0.4; 0.2 of 4 cores (5 %), 16 of 20 Wh idle (80 %): mostly idle.
    expect(report.machines[1]).toMatchObject({
      amortisation: close(0.4),
      utilisation: close(0.05),
      cost_per_work_unit: close(0.405 / 0.4),
      verdict: 'mostly-idle-consolidate',
      reason:
        'Mostly idle: 5.0 % CPU utilisation, and 80 % of its 0.02 kWh was idle draw; move its workloads to a busier machine and switch it off.',
    });
  });

  it('totals energy, standing charge for a sixth of a day and amortisation, and flags low coverage', () => {
    expect(report.window).toEqual({ start, end: start + 4 * HOUR, hours: 4 });
    expect(report.totals).toEqual({
      energy_kwh: close(0.32),
      energy_cost: close(0.08),
      standing_charge: close(0.08),
      amortisation: close((250 * 4 * HOUR) / YEAR + 0.4),
      total_cost: close(0.16 + (250 * 4 * HOUR) / YEAR + 0.4),
    });
    // Weighted by mean power, ryzen 100 W at 75 %, pi 5 W at 100 %: 80 / 105, under the default 0.8.
    expect(report.coverage).toBeCloseTo(80 / 105, 12);
    expect(report.confidence).toBe('low');
    expect(report.warnings).toEqual([
      'ryzen: power data covers 75 % of the window; 1 gap(s), the longest 1.0 h from 2026-01-05T12:00:00.000Z',
      'ryzen: 0.02 kWh above idle is unattributed (no workload CPU data at those steps)',
      'coverage 76 % is under options.min_coverage 80 %: the figures are low-confidence',
    ]);
  });
});

describe('computeCosts: idle sharing', () => {
  // Idle 10 W; 30 W then 50 W. a uses 1 then 3 cores and 1 GB; b 1 and 1 cores and (no series) 3 GB p95.
  // CPU shares: hour 1, 20 W 1 : 1 → 10, 10; hour 2, 40 W 3 : 1 → 30, 10. So a 40 Wh, b 20 Wh, idle 20 Wh.
  const report = (idle_share: 'none' | 'cpu' | 'memory' | 'even') =>
    costs({
      window: { start: 0, end: 2 * HOUR, step_seconds: HOUR },
      tariff: { price_per_kwh: 1 },
      machines: [machine('m', { power_watts: [30, 50] })],
      workloads: [
        workload('a', 'm', { cpu_cores: [1, 3], memory_bytes: [1e9, 1e9] }),
        workload('b', 'm', { cpu_cores: [1, 1], memory: { p95_bytes: 3e9, max_bytes: 3e9 } }),
      ],
      options: { idle_share },
    });

  it.each([
    // none: idle stays on its line.
    ['none', 0, 0, 0.02],
    // cpu: hour 1 10 W shared 1 : 1 → 5, 5; hour 2 3 : 1 → 7.5, 2.5.
    ['cpu', 0.0125, 0.0075, 0],
    // memory: 1 GB : 3 GB both hours → 2.5 + 2.5, 7.5 + 7.5.
    ['memory', 0.005, 0.015, 0],
    // even: 5 + 5 each.
    ['even', 0.01, 0.01, 0],
  ] as const)('%s: a gets %f kWh of idle, b %f, the idle line keeps %f', (mode, aIdle, bIdle, line) => {
    const r = report(mode);
    expect(r.workloads.map((w) => [w.name, w.idle_kwh, w.energy_kwh])).toEqual([
      ['a', close(aIdle), close(0.04 + aIdle)],
      ['b', close(bIdle), close(0.02 + bIdle)],
    ]);
    expect(r.idle).toEqual([{ machine: 'm', kwh: close(line), cost: close(line) }]);
    // The machine's own idle figure is its idle draw, whoever it is shared to.
    expect(r.machines[0]?.idle_kwh).toBeCloseTo(0.02, 12);
  });
});

describe('computeCosts: a time-of-use tariff over a clock change', () => {
  // Night 23:00–07:00 (two bands) at 0.10 and 100 g/kWh; otherwise 0.30 and 300 g/kWh; 0.50 a day
  // standing; exports paid 0.05. One kilowatt for the whole local day, hourly samples.
  const dayAt1kW = (timezone: string, from: string, to: string) => {
    const hours = (at(to) - at(from)) / HOUR;
    return costs({
      window: { start: at(from), end: at(to), step_seconds: HOUR },
      tariff: {
        timezone,
        currency: 'GBP',
        price_per_kwh: 0.3,
        carbon_g_per_kwh: 300,
        standing_charge_per_day: 0.5,
        export_price_per_kwh: 0.05,
        bands: [
          { from: '00:00', to: '07:00', price_per_kwh: 0.1, carbon_g_per_kwh: 100 },
          { from: '23:00', to: '24:00', price_per_kwh: 0.1, carbon_g_per_kwh: 100 },
        ],
      },
      machines: [machine('m', { power_watts: Array.from({ length: hours }, () => 1000) })],
    }).totals;
  };

  it.each([
    // 23 h: 00:00–01:00 GMT, then 02:00–07:00 BST, and 23:00–24:00: 7 h at night, 16 h by day.
    // 7 × 0.10 + 16 × 0.30 = 5.50; 7 × 100 + 16 × 300 = 5500 g; offset 5.50 − 23 × 0.05 = 4.35.
    ['Europe/London', '2026-03-29T00:00Z', '2026-03-29T23:00Z', 23, 5.5, 5.5, 4.35],
    // 25 h: 00:00–07:00 holds 01:00–02:00 twice, 8 h, + 1 h: 9 h at night, 16 h by day.
    // 9 × 0.10 + 16 × 0.30 = 5.70; 900 + 4800 = 5700 g; 5.70 − 25 × 0.05 = 4.45.
    ['Europe/London', '2026-10-24T23:00Z', '2026-10-26T00:00Z', 25, 5.7, 5.7, 4.45],
    // New York springs forward at 02:00 EST: 00:00–02:00 EST + 03:00–07:00 EDT + 23:00–24:00 = 7 h.
    ['America/New_York', '2026-03-08T05:00Z', '2026-03-09T04:00Z', 23, 5.5, 5.5, 4.35],
    // …and falls back at 02:00 EDT: 01:00–02:00 twice, 8 h + 1 h at night.
    ['America/New_York', '2026-11-01T04:00Z', '2026-11-02T05:00Z', 25, 5.7, 5.7, 4.45],
  ])(
    '%s %s–%s: %i kWh, cost %f, %f kg CO2e, export offset %f, one day standing',
    (zone, from, to, kwh, cost, kg, offset) => {
      expect(dayAt1kW(zone, from, to)).toEqual({
        energy_kwh: close(kwh),
        energy_cost: close(cost),
        standing_charge: close(0.5),
        amortisation: 0,
        total_cost: close(cost + 0.5),
        export_offset: close(offset),
        carbon_kg: close(kg),
      });
    },
  );

  it('prices a sample that straddles a band edge in parts, not at an average', () => {
    // 06:30–07:30 at 2 kW: half an hour each side of 07:00 → 1 kWh × 0.10 + 1 kWh × 0.30 = 0.40;
    // 07:30–08:30 at 1 kW: 0.30. Total 0.70 (average power × average price would say 3 kWh × 0.25 = 0.75).
    const start = at('2026-01-12T06:30Z');
    const report = costs({
      window: { start, end: start + 2 * HOUR, step_seconds: HOUR },
      tariff: {
        timezone: 'Europe/London',
        price_per_kwh: 0.3,
        bands: [{ from: '00:00', to: '07:00', price_per_kwh: 0.1 }],
      },
      machines: [machine('m', { power_watts: [2000, 1000] })],
    });
    expect(report.totals.energy_kwh).toBeCloseTo(3, 12);
    expect(report.totals.energy_cost).toBeCloseTo(0.7, 12);
    expect(report.totals.carbon_kg).toBeUndefined();
  });
});

describe('computeCosts: verdicts', () => {
  // A day of hourly samples from midnight UTC: 60 W and 2 of 4 cores from 07:00 to 23:00, 20 W (its idle)
  // and nothing running at night.
  const start = at('2026-01-05T00:00Z');
  const hours = Array.from({ length: 24 }, (_, h) => h >= 7 && h < 23);
  const day = (machineExtra: Partial<MachineInput>, cores: number[] = hours.map((on) => (on ? 2 : 0))) =>
    costs({
      window: { start, end: start + 24 * HOUR, step_seconds: HOUR },
      tariff: { price_per_kwh: 0.25 },
      machines: [
        machine('m', {
          power: { idle_watts: 20, max_watts: 100, source: 'measured' },
          power_watts: hours.map((on) => (on ? 60 : 20)),
          ...machineExtra,
        }),
      ],
      workloads: [workload('w', 'm', { cpu_cores: cores })],
    }).machines[0];

  it('says to power off off-hours when it is busy by day and quiet at night', () => {
    // 50 % on-hours, 0 % off-hours; 8 night hours × 20 W = 0.16 kWh, × 0.25 = 0.04.
    expect(day({})).toMatchObject({
      verdict: 'power-off-off-hours',
      reason:
        '50 % CPU utilisation on-hours but 0.0 % off-hours (23:00–07:00 UTC); switching it off then would save about 0.16 kWh (0.04 EUR) over the window.',
    });
  });

  it('lets it earn its place where the owner may not power it off', () => {
    expect(day({ may_power_off: false })?.verdict).toBe('earns-its-place');
  });

  it('keeps an always-on machine that is mostly idle, and says why', () => {
    // 0.1 of 4 cores (2.5 %); 22 W all day, 20 of it idle draw: 91 %.
    const quiet = day(
      { always_on: true, power_watts: hours.map(() => 22) },
      hours.map(() => 0.1),
    );
    expect(quiet).toMatchObject({
      verdict: 'earns-its-place',
      reason:
        'Mostly idle (2.5 % CPU utilisation, 91 % of its energy idle draw) but marked always_on, so it stays on.',
    });
  });

  it('has no verdict and warns, never a zero-cost machine, without power data', () => {
    const report = costs({
      window: { start, end: start + 2 * HOUR, step_seconds: HOUR },
      tariff: { price_per_kwh: 0.25 },
      machines: [machine('router', { power_watts: [null, null], upkeep_per_year: 365.25 * 12 })],
    });
    // Upkeep 12 a day for 2 h = 1.
    expect(report.machines[0]).toMatchObject({
      coverage: 0,
      gaps: [{ start, end: start + 2 * HOUR }],
      verdict: 'no-data',
      reason: 'No power data in the window, so its energy is unknown; amortisation alone comes to 1.00 EUR.',
    });
    expect(report.confidence).toBe('low');
    expect(report.warnings).toContain(
      'router: no power data in the window; its energy and cost are unknown, not zero',
    );
  });
});

describe('computeCosts: scenario errors', () => {
  it('names an unknown time zone and a band that never applies', () => {
    const input = (timezone: string): ScenarioInput => ({
      window: { start: 0, end: HOUR, step_seconds: HOUR },
      tariff: { timezone, price_per_kwh: 0.2, bands: [{ from: '23:00', to: '07:00', price_per_kwh: 0.1 }] },
      machines: [machine('m', { power_watts: [10] })],
    });
    expect(() => costs(input('Mars/Olympus'))).toThrow('tariff.timezone');
    expect(costs(input('UTC')).warnings).toContain(
      'tariff.bands.0: from 23:00 is not before to 07:00, so it never applies (a night band is two bands)',
    );
  });
});
