import type { z } from 'zod';
import type { RangeSeries } from '../../common/prometheus-client.ts';
import {
  knownSamples,
  type optionsSchema,
  type Scenario,
  type ScenarioInput,
  scenarioSchema,
  type tariffSchema,
} from '../../cost/scenario.ts';
import { fitLinearProfile } from '../../exporters/power/calibrate/fit.ts';
import type { MachineDeclarations } from '../../rules/declared-schema.ts';
import type { ContractData, GridRangeSeries } from './contract-queries.ts';
import {
  addSeries,
  coverage,
  emptySeries,
  type Grid,
  type GridSeries,
  isGap,
  lastIndex,
  max,
  mean,
  quantile,
  scaleSeries,
} from './grid.ts';

/**
 * The scenario's facts go through its schema (defaults, checks); its series, built here on the grid, are
 * attached after: validating a million samples would only copy them.
 */
type MachineInput = Omit<ScenarioInput['machines'][number], 'power_watts'> & { power_watts: GridSeries };
type WorkloadInput = Omit<
  NonNullable<ScenarioInput['workloads']>[number],
  'cpu_cores' | 'gpu_watts' | 'memory_bytes'
> & { cpu_cores: GridSeries; gpu_watts?: GridSeries; memory_bytes?: GridSeries };

export interface BuildInput {
  grid: Grid;
  tariff: z.input<typeof tariffSchema>;
  /** The owner's facts from tierwise.yml's machines:, by instance. */
  declarations: MachineDeclarations;
  options?: z.input<typeof optionsSchema>;
}

export interface BuiltScenario {
  scenario: Scenario;
  /** Share of machine-time in the window with power data, 0–1. */
  coverage: number;
  /** Coverage is under options.min_coverage: whatever comes of it is an estimate. */
  thin: boolean;
  /** What a person should know about the data: machines or workloads left out, and why. */
  warnings: string[];
}

/** Prometheus answered, but with nothing to price: the message says what was missing. */
export class NoDataError extends Error {
  override readonly name = 'NoDataError';
}

/** The agent's own remainder of a machine's CPU: part of the machine, never moved. */
const HOST_OTHER = 'host/other';

/** Inventory names (archName) as Docker's platforms spell them: an armv7 Pi runs linux/arm images. */
const DOCKER_ARCH: Record<string, string> = { armv7: 'arm', armv6: 'arm', aarch64: 'arm64', x86_64: 'amd64' };
const dockerArch = (arch: string) => DOCKER_ARCH[arch] ?? arch;

/** "linux/arm/v7,linux/amd64" → ["arm", "amd64"]; empty: runs anywhere (no image, or not known). */
export function archesOf(imagePlatforms: string | undefined): string[] {
  if (!imagePlatforms) return [];
  const arches = imagePlatforms
    .split(',')
    .map((p) => p.trim().split('/')[1])
    .filter((a): a is string => a !== undefined && a !== '' && a !== 'unknown');
  return [...new Set(arches)];
}

/** The latest value per instance of an inventory query (one label set per instance wins: the newest). */
function latestBy(series: RangeSeries[], key: (m: Record<string, string>) => string) {
  const out = new Map<string, { metric: Record<string, string>; value: number; at: number }>();
  for (const s of series) {
    const last = s.values.at(-1);
    if (!last) continue;
    const value = Number(last[1]);
    if (!Number.isFinite(value)) continue;
    const k = key(s.metric);
    const seen = out.get(k);
    if (!seen || last[0] > seen.at) out.set(k, { metric: s.metric, value, at: last[0] });
  }
  return out;
}

const instanceOf = (m: Record<string, string>) => m.instance ?? '';

/** The declaration for an instance: by its name, or without the port when Prometheus kept one. */
function declarationFor(decls: MachineDeclarations, instance: string) {
  return decls[instance] ?? decls[instance.replace(/:\d+$/, '')];
}

/**
 * The cost model's plain input from the contract series (pure: Prometheus' answers in, a Scenario
 * out). CPU is normalised to score-cores by the speed score of the machine each sample ran on; every
 * series stays on the grid with null for no data; a machine without power or inventory is left out
 * with a warning rather than guessed.
 */
export function buildScenario(data: ContractData, input: BuildInput): BuiltScenario {
  const { grid } = input;
  const warnings: string[] = [];

  // Power per machine: one series per source; a machine whose best source changed has several.
  const power = new Map<string, { series: GridSeries; points: Map<string, number> }>();
  for (const s of data.power) {
    const instance = instanceOf(s.metric);
    const series = s.values;
    const entry = power.get(instance) ?? { series: emptySeries(grid), points: new Map() };
    entry.series = entry.series.map((v, i) => {
      const w = series[i] ?? Number.NaN;
      return Number.isNaN(v) ? w : Number.isNaN(w) ? v : Math.max(v, w);
    });
    const source = s.metric.source ?? 'unknown';
    entry.points.set(source, (entry.points.get(source) ?? 0) + knownSamples(series).length);
    power.set(instance, entry);
  }
  if (power.size === 0)
    throw new NoDataError(
      'no tierwise:node_power_watts in the window: are the recording rules loaded (docs/rules.md) and the machines scraped?',
    );

  const info = latestBy(data.nodeInfo, instanceOf);
  const speed = latestBy(data.speedScore, instanceOf);
  const cores = latestBy(data.cpuCores, instanceOf);
  const memory = latestBy(data.memoryBytes, instanceOf);
  const gpuTotals = latestBy(data.gpuMemory, (m) => `${m.instance}\u0000${m.uuid}`);
  const profiles = latestBy(data.powerProfile, instanceOf);
  const idle = new Map(data.idle.map((s) => [instanceOf(s.metric), knownSamples(s.values)]));
  const busy = new Map(data.busy.map((s) => [instanceOf(s.metric), s.values]));
  const gpuPower = new Map(data.gpuPower.map((s) => [instanceOf(s.metric), s.values]));

  const machines: MachineInput[] = [];
  for (const [instance, p] of [...power].sort(([a], [b]) => a.localeCompare(b))) {
    const decl = declarationFor(input.declarations, instance);
    const score = decl?.speed_score ?? speed.get(instance)?.value;
    const missing = [
      score === undefined && 'tierwise_node_cpu_speed_score (or machines.<name>.speed_score)',
      cores.get(instance) === undefined && 'tierwise_node_cpu_cores',
      memory.get(instance) === undefined && 'tierwise_node_memory_bytes',
      info.get(instance) === undefined && decl?.arch === undefined && 'tierwise_node_info',
    ].filter((m): m is string => typeof m === 'string');
    if (missing.length > 0) {
      warnings.push(`${instance} left out: no ${missing.join(', ')} in the window`);
      continue;
    }
    const watts = knownSamples(p.series);
    if (watts.length === 0) continue;
    const source = [...p.points].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unknown';
    const profile = powerProfile(
      instance,
      watts,
      idle.get(instance),
      busy.get(instance),
      gpuPower.get(instance),
      p.series,
    );
    if (profile.warning) warnings.push(profile.warning);
    const gpus = [...gpuTotals.values()]
      .filter((g) => g.metric.instance === instance && g.value > 0)
      .map((g) => ({ model: g.metric.model || 'unknown GPU', vram_bytes: g.value }));
    machines.push({
      name: instance,
      tier: info.get(instance)?.metric.tier || 'unknown',
      arch: decl?.arch ?? dockerArch(info.get(instance)?.metric.arch || 'unknown'),
      cpu_cores: cores.get(instance)?.value as number,
      speed_score: score as number,
      memory_bytes: memory.get(instance)?.value as number,
      gpus,
      power: {
        idle_watts: profile.idle,
        max_watts: profile.max,
        source: powerSource(source, profiles.get(instance)?.metric.source),
      },
      power_watts: p.series,
      power_source: source,
      ...(decl?.purchase_price !== undefined && { purchase_price: decl.purchase_price }),
      ...(decl?.lifetime_years !== undefined && { lifetime_years: decl.lifetime_years }),
      ...(decl?.salvage_value !== undefined && { salvage_value: decl.salvage_value }),
      ...(decl?.upkeep_per_year !== undefined && { upkeep_per_year: decl.upkeep_per_year }),
      ...(decl?.may_power_off !== undefined && { may_power_off: decl.may_power_off }),
      ...(decl?.always_on !== undefined && { always_on: decl.always_on }),
    });
  }
  if (machines.length === 0)
    throw new NoDataError(
      `no machine has both power and inventory series in the window:\n  ${warnings.join('\n  ')}`,
    );
  const known = new Set(machines.map((m) => m.name));
  for (const name of Object.keys(input.declarations))
    if (!known.has(name) && ![...known].some((k) => k.replace(/:\d+$/, '') === name) && !power.has(name))
      warnings.push(`machines.${name} in tierwise.yml has no data in Prometheus in the window`);

  const workloads = buildWorkloads(data, grid, new Map(machines.map((m) => [m.name, m])), warnings);

  const machineCoverage = machines.map((m) => coverage(m.power_watts));
  const overall = mean(machineCoverage) ?? 0;
  const scenario = withSeries(machines, workloads, {
    window: {
      start: grid.start,
      end: grid.start + grid.points * grid.stepSeconds,
      step_seconds: grid.stepSeconds,
    },
    tariff: input.tariff,
    machines: machines.map(({ power_watts: _, ...facts }) => facts),
    workloads: workloads.map(({ cpu_cores: _c, gpu_watts: _g, memory_bytes: _m, ...facts }) => facts),
    ...(input.options && { options: input.options }),
  });
  const thin = overall < scenario.options.min_coverage;
  if (thin)
    warnings.unshift(
      `power data covers only ${(overall * 100).toFixed(0)} % of the window (${machines.length} machines): figures are estimates, not a recommendation`,
    );
  return { scenario, coverage: overall, thin, warnings };
}

/**
 * Where idle and max watts come from: a wall or component source is a measurement; the model's watts
 * are its profile's, which `tierwise calibrate` may have fitted to a meter (it says so in the profile's
 * source, and the agent reports that in tierwise_node_power_profile_info).
 */
function powerSource(nodeSource: string, profileSource: string | undefined): MachineInput['power']['source'] {
  if (nodeSource !== 'model') return 'measured';
  return profileSource?.startsWith('tierwise calibrate') ? 'calibrated' : 'profile';
}

/**
 * Idle and maximum watts. Idle is the contract's quietest 5 % (its lowest day). The maximum is idle plus
 * the slope of a straight line through (CPU busy, power less GPUs) over the window, as `tierwise
 * calibrate` fits it: the GPUs' power is priced per workload (cost/model.ts), so max_watts is the CPU
 * side's. A machine whose load hardly varied says little about its maximum: then the range it was
 * seen to span (99th less 5th percentile) stands in, and a warning says so.
 */
function powerProfile(
  instance: string,
  watts: number[],
  idleValues: number[] | undefined,
  busy: GridSeries | undefined,
  gpu: GridSeries | undefined,
  series: GridSeries,
): { idle: number; max: number; warning?: string } {
  const idle = (idleValues && idleValues.length > 0 ? Math.min(...idleValues) : quantile(watts, 0.05)) ?? 0;
  const cpuSide = series.map((w, i) => {
    const g = gpu?.[i] ?? Number.NaN;
    return Number.isNaN(g) ? w : w - g;
  });
  const points = [];
  for (let i = 0; i < series.length; i++) {
    const w = cpuSide[i];
    const u = busy?.[i];
    if (isGap(w) || isGap(u)) continue;
    points.push({ utilisation: u as number, watts: w as number });
  }
  try {
    const fit = fitLinearProfile(points, MIN_BUSY_SPREAD);
    const slope = fit.maxWatts - fit.idleWatts;
    if (fit.r2 >= MIN_FIT_R2 && slope > 0) return { idle, max: idle + slope };
  } catch {
    // Too few points or too little spread: the fallback below.
  }
  const seen = knownSamples(cpuSide);
  const range = Math.max(0, (quantile(seen, 0.99) ?? 0) - (quantile(seen, 0.05) ?? 0));
  const max = idle + Math.max(range, 0.01);
  return {
    idle,
    max,
    warning: `${instance}: its CPU load hardly varied, so its maximum power is taken from its busiest 1 % (${max.toFixed(1)} W): work moved onto it may be priced low`,
  };
}

/** Least spread of CPU busy (0–1) over the window, and fit quality, for a slope to be believed. */
const MIN_BUSY_SPREAD = 0.05;
const MIN_FIT_R2 = 0.5;

interface Part {
  instance: string;
  cpu: GridSeries;
  labels: Record<string, string>;
}

/** Workloads by identity; one seen on two machines at once (replicas) becomes one per machine. */
function buildWorkloads(
  data: ContractData,
  grid: Grid,
  machines: Map<string, MachineInput>,
  warnings: string[],
): WorkloadInput[] {
  const byName = new Map<string, Part[]>();
  const orphans = new Set<string>();
  for (const s of data.workloadCpu) {
    const { workload, instance } = s.metric;
    if (!workload || !instance || workload === HOST_OTHER) continue;
    if (!machines.has(instance)) {
      orphans.add(instance);
      continue;
    }
    const parts = byName.get(workload) ?? [];
    parts.push({ instance, cpu: s.values, labels: s.metric });
    byName.set(workload, parts);
  }
  for (const o of orphans) warnings.push(`workloads on ${o} left out with their machine`);

  const series = (list: GridRangeSeries[]) => {
    const out = new Map<string, GridSeries>();
    for (const s of list) {
      const key = `${s.metric.instance}\u0000${s.metric.workload}`;
      const prev = out.get(key);
      const next = s.values;
      out.set(key, prev ? addSeries(prev, next) : next);
    }
    return out;
  };
  const memory = series(data.workloadMemory);
  const gpuWatts = series(data.workloadGpuPower);
  const vram = series(data.workloadGpuMemory);
  const machineGpu = new Map(data.gpuPower.map((s) => [instanceOf(s.metric), s.values]));
  const infos = latestBy(data.workloadInfo, (m) => `${m.instance}\u0000${m.workload}`);
  const key = (instance: string, workload: string) => `${instance}\u0000${workload}`;

  const out: WorkloadInput[] = [];
  for (const [name, parts] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    const groups = concurrent(parts)
      ? parts.map((p) => ({ name: `${name}@${p.instance}`, parts: [p] }))
      : [{ name, parts }];
    for (const g of groups) {
      // Where it runs now: the machine with its latest sample.
      const current = [...g.parts].sort((a, b) => lastIndex(b.cpu) - lastIndex(a.cpu))[0] as Part;
      const machine = machines.get(current.instance) as MachineInput;
      let scoreCores = emptySeries(grid);
      for (const p of g.parts)
        scoreCores = addSeries(
          scoreCores,
          scaleSeries(p.cpu, (machines.get(p.instance) as MachineInput).speed_score),
        );
      const cpu = knownSamples(scoreCores);
      if (cpu.length === 0) continue;
      const mem = g.parts.flatMap((p) => knownSamples(memory.get(key(p.instance, name))));
      const here = key(current.instance, name);
      const gw = gpuWatts.get(here);
      const heldVram = max(knownSamples(vram.get(here))) ?? 0;
      const info =
        infos.get(here)?.metric ?? g.parts.map((p) => infos.get(key(p.instance, name))?.metric).find(Boolean);
      const gpu = gpuUse(gw, machineGpu.get(current.instance), heldVram);
      out.push({
        name: g.name,
        kind: current.labels.kind || 'unknown',
        ...(current.labels.namespace && { namespace: current.labels.namespace }),
        machine: machine.name,
        cpu: { mean: mean(cpu) ?? 0, p95: quantile(cpu, 0.95) ?? 0, max: max(cpu) ?? 0 },
        memory: { p95_bytes: quantile(mem, 0.95) ?? 0, max_bytes: max(mem) ?? 0 },
        ...(gpu && { gpu }),
        // Holding VRAM is needing a GPU, unless the owner said otherwise.
        needs_gpu: info?.needs_gpu === 'true' || (info?.needs_gpu !== 'false' && heldVram > 0),
        arches: archesOf(info?.image_platforms),
        ...(info?.pin && { pin: info.pin }),
        always_on: info?.always_on === 'true',
        latency_sensitive: info?.latency_sensitive === 'true',
        cpu_cores: current.cpu,
        ...(gw && { gpu_watts: gw }),
        ...(memory.has(here) && { memory_bytes: memory.get(here) }),
      });
    }
  }
  return out;
}

/** Running on two machines at the same time for more than a tenth of its life: replicas, not a move. */
function concurrent(parts: Part[]): boolean {
  if (parts.length < 2) return false;
  const points = parts[0]?.cpu.length ?? 0;
  let any = 0;
  let overlap = 0;
  for (let i = 0; i < points; i++) {
    const n = parts.filter((p) => !isGap(p.cpu[i])).length;
    if (n > 0) any++;
    if (n > 1) overlap++;
  }
  return any > 0 && overlap / any > 0.1;
}

/** VRAM held and the share of its machine's GPU power it drew over the window. */
function gpuUse(
  watts: GridSeries | undefined,
  machine: GridSeries | undefined,
  vram: number,
): { vram_bytes: number; power_share: number } | undefined {
  if (!watts && vram === 0) return undefined;
  let mine = 0;
  let all = 0;
  for (let i = 0; i < (watts?.length ?? 0); i++) {
    const w = watts?.[i];
    const m = machine?.[i];
    if (isGap(w) || isGap(m)) continue;
    mine += w as number;
    all += m as number;
  }
  return { vram_bytes: vram, power_share: all > 0 ? Math.min(1, mine / all) : 0 };
}

/** The scenario from its facts (checked by the schema) and its series (built on the grid). */
function withSeries(machines: MachineInput[], workloads: WorkloadInput[], facts: ScenarioInput): Scenario {
  const scenario = scenarioSchema.parse(facts);
  scenario.machines.forEach((m, i) => {
    m.power_watts = machines[i]?.power_watts;
  });
  scenario.workloads.forEach((w, i) => {
    const built = workloads[i] as WorkloadInput;
    w.cpu_cores = built.cpu_cores;
    if (built.gpu_watts) w.gpu_watts = built.gpu_watts;
    if (built.memory_bytes) w.memory_bytes = built.memory_bytes;
  });
  return scenario;
}
