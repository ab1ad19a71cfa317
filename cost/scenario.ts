import { z } from 'zod';

/**
 * The cost model's input: plain data, no Prometheus. `tierwise advise --prometheus` builds it from the
 * `tierwise:*` contract; `tierwise advise --scenario FILE` reads it from JSON (its JSON Schema is
 * cost/scenario.schema.json, generated from this), which is how owners try what-ifs.
 *
 * Units: watts, bytes, seconds (epoch seconds for instants), money in the tariff's currency. CPU work is
 * in score-cores: CPU cores × the speed score of the machine the work ran on (inventory's single-core
 * score), so a Pi's core and a Ryzen's core are comparable.
 */

const nonNegative = z.number().nonnegative();
const positive = z.number().positive();
/**
 * A time series on the scenario's grid: one value per step from window.start. JSON carries numbers and
 * nulls (no data); in memory it is a Float64Array with NaN for no data, 8 bytes a sample where an array
 * of numbers boxes each one (a week of 500 workloads is a million samples per series).
 */
export type Samples = Float64Array;

export const samplesFromJson = (values: readonly (number | null)[]): Samples =>
  Float64Array.from(values, (v) => v ?? Number.NaN);

export const samplesToJson = (samples: Samples): (number | null)[] =>
  Array.from(samples, (v) => (Number.isNaN(v) ? null : v));

/** The samples with data, in order; none for no series. */
export function knownSamples(samples: Samples | undefined): number[] {
  const out: number[] = [];
  for (const v of samples ?? []) if (!Number.isNaN(v)) out.push(v);
  return out;
}

const series = z.array(z.number().nullable()).transform(samplesFromJson);
const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (24:00 allowed as an end)');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

export const windowSchema = z.strictObject({
  /** Epoch seconds; the first sample of every series is at start. */
  start: z.number().int(),
  end: z.number().int(),
  /** Seconds between samples of every series (query_range's step). */
  step_seconds: positive,
});

const bandSchema = z.strictObject({
  /** Local days this band applies to; default every day. */
  days: z.array(weekday).min(1).optional(),
  /** Local time of day in the tariff's time zone; from < to, or to 24:00. A night band is two bands. */
  from: hhmm,
  to: hhmm,
  price_per_kwh: nonNegative,
  /** Grid carbon intensity in this band, grams CO2e per kWh; default the tariff's. */
  carbon_g_per_kwh: nonNegative.optional(),
});

export const tariffSchema = z.strictObject({
  currency: z.string().min(1).default('EUR'),
  /** IANA time zone the bands' local times are in (e.g. Europe/London). */
  timezone: z.string().min(1).default('UTC'),
  /** Price outside every band (flat tariff: only this). */
  price_per_kwh: nonNegative,
  /** Time-of-use bands; the first band matching a local time wins. */
  bands: z.array(bandSchema).default([]),
  /** Fixed charge per day, whatever is drawn (reported, never attributed to a machine). */
  standing_charge_per_day: nonNegative.default(0),
  /** What exported or self-generated energy is worth per kWh (solar): reported as an offset. */
  export_price_per_kwh: nonNegative.optional(),
  carbon_g_per_kwh: nonNegative.optional(),
});

export const machineSchema = z.strictObject({
  /** Prometheus' instance. */
  name: z.string().min(1),
  tier: z.string().min(1),
  /** Docker/OCI architecture: amd64, arm64, arm (armv7), 386, … */
  arch: z.string().min(1),
  cpu_cores: positive,
  /** Single-core speed score (inventory); capacity in score-cores is cpu_cores × speed_score. */
  speed_score: positive,
  memory_bytes: positive,
  gpus: z.array(z.strictObject({ model: z.string().min(1), vram_bytes: positive })).default([]),
  power: z.strictObject({
    idle_watts: nonNegative,
    max_watts: positive,
    /** Where idle/max come from: measured (wall source history), calibrated (tierwise calibrate), profile. */
    source: z.enum(['measured', 'calibrated', 'profile']),
  }),
  /** The machine's power on the window's grid (tierwise:node_power_watts); absent for a what-if machine. */
  power_watts: series.optional(),
  /** tierwise:node_power_watts' source over the window, for the report (plug, components, model, …). */
  power_source: z.string().optional(),
  purchase_price: nonNegative.optional(),
  lifetime_years: positive.optional(),
  salvage_value: nonNegative.optional(),
  upkeep_per_year: nonNegative.optional(),
  /** The owner allows switching it off (or scheduling it off) when nothing needs it. */
  may_power_off: z.boolean().default(true),
  /** Must stay on (a router, the NAS holding everyone's data). */
  always_on: z.boolean().default(false),
  /** A what-if machine not bought yet: placement may use it; current costs do not include it. */
  hypothetical: z.boolean().default(false),
});

export const workloadSchema = z.strictObject({
  /** Stable identity (namespace/Deployment/name, compose project/service, unit, container name). */
  name: z.string().min(1),
  kind: z.string().min(1),
  namespace: z.string().optional(),
  /** The machine it runs on now. */
  machine: z.string().min(1),
  /** CPU use in score-cores over the window. */
  cpu: z.strictObject({ mean: nonNegative, p95: nonNegative, max: nonNegative }),
  memory: z.strictObject({ p95_bytes: nonNegative, max_bytes: nonNegative }),
  /** GPU use: VRAM held and the share of one GPU's power it drew (mean, 0–1). */
  gpu: z.strictObject({ vram_bytes: nonNegative, power_share: z.number().min(0).max(1) }).optional(),
  needs_gpu: z.boolean().default(false),
  /** Architectures its image runs on; empty: any (a systemd service, a multi-arch image). */
  arches: z.array(z.string().min(1)).default([]),
  /** A machine name or a tier it must stay on. */
  pin: z.string().min(1).optional(),
  /** Needs a machine that is never switched off. */
  always_on: z.boolean().default(false),
  /** Stays on its current tier (a DNS server, a game server). */
  latency_sensitive: z.boolean().default(false),
  /** Its CPU use on the grid, in cores of its machine (tierwise:workload_cpu_cores:rate5m), for attribution. */
  cpu_cores: series.optional(),
  /** Its GPU power on the grid (tierwise:workload_gpu_power_watts), for attribution. */
  gpu_watts: series.optional(),
  memory_bytes: series.optional(),
});

export const optionsSchema = z.strictObject({
  /** How each machine's idle energy is shown: on its own line only, or also shared out by CPU, memory or evenly. */
  idle_share: z.enum(['none', 'cpu', 'memory', 'even']).default('none'),
  /** Fraction of a machine's CPU capacity placement may fill with the workloads' p95. */
  cpu_headroom: z.number().gt(0).max(1).default(0.8),
  /** Extra memory kept free on top of the workloads' max, as a fraction of it. */
  memory_margin: z.number().min(0).default(0.1),
  /** One-off cost of moving a workload (the owner's time), in currency; spread over `payback_weeks`. */
  migration_cost: nonNegative.default(0),
  payback_weeks: positive.default(4),
  /** Solver time limit; past it the best plan found (or the greedy one) is reported with its gap. */
  time_limit_seconds: positive.default(10),
  /** Below this share of the window with data, results are flagged low-confidence. */
  min_coverage: z.number().min(0).max(1).default(0.8),
});

export const scenarioSchema = z
  .strictObject({
    window: windowSchema,
    tariff: tariffSchema,
    machines: z.array(machineSchema).min(1),
    workloads: z.array(workloadSchema).default([]),
    options: optionsSchema.prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.window.end <= s.window.start)
      ctx.addIssue({ code: 'custom', path: ['window', 'end'], message: 'expected end after start' });
    const names = new Set(s.machines.map((m) => m.name));
    s.workloads.forEach((w, i) => {
      if (!names.has(w.machine))
        ctx.addIssue({
          code: 'custom',
          path: ['workloads', i, 'machine'],
          message: `expected the name of a machine in machines, got "${w.machine}"`,
        });
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Machine = Scenario['machines'][number];
export type Workload = Scenario['workloads'][number];
export type Tariff = Scenario['tariff'];
export type CostOptions = Scenario['options'];

/** The scenario as JSON (what `tierwise advise --scenario` reads back): its series as numbers and nulls. */
export function scenarioJson(scenario: Scenario): string {
  return JSON.stringify(scenario, (_key, value) =>
    value instanceof Float64Array ? samplesToJson(value) : value,
  );
}
