import { cpuRequestCores, memoryRequestBytes } from '../rightsizing.ts';
import {
  type Machine,
  machineSchema,
  optionsSchema,
  type Scenario,
  type ScenarioInput,
  tariffSchema,
  type Workload,
  workloadSchema,
} from '../scenario.ts';

/**
 * Deterministic random homelabs for the property tests and the placement benchmark: real machine types,
 * typical services, and a current placement an owner might have made (each workload on a random machine
 * where it fits and may run). Watts: the Pi 3, Pi 4 and Core 2 Quad OptiPlex as measured in
 * shared/power-profiles, the Pi 5 and N100 close to its figures, the rest typical of their kind; speed
 * scores on the inventory's scale (a 2.3 GHz Xeon core is about 160).
 */

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const HOURS = 168;

/** mulberry32: small, fast, and the same sequence on every platform for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type MachineType = Omit<ScenarioInput['machines'][number], 'name' | 'power'> & {
  idle: number;
  max: number;
  weight: number;
};

const MACHINE_TYPES: Record<string, MachineType> = {
  pi3: {
    tier: 'pi',
    arch: 'arm',
    cpu_cores: 4,
    speed_score: 20,
    memory_bytes: 1 * GIB,
    idle: 3.1,
    max: 5.6,
    weight: 1,
  },
  pi4: {
    tier: 'pi',
    arch: 'arm64',
    cpu_cores: 4,
    speed_score: 40,
    memory_bytes: 4 * GIB,
    idle: 2.7,
    max: 6.4,
    weight: 5,
  },
  pi5: {
    tier: 'pi',
    arch: 'arm64',
    cpu_cores: 4,
    speed_score: 80,
    memory_bytes: 8 * GIB,
    idle: 3.2,
    max: 9.5,
    weight: 4,
  },
  n100: {
    tier: 'mini',
    arch: 'amd64',
    cpu_cores: 4,
    speed_score: 120,
    memory_bytes: 16 * GIB,
    idle: 6,
    max: 25,
    weight: 4,
  },
  optiplex: {
    tier: 'desktop',
    arch: 'amd64',
    cpu_cores: 4,
    speed_score: 100,
    memory_bytes: 16 * GIB,
    idle: 25,
    max: 85,
    weight: 3,
  },
  core2: {
    tier: 'desktop',
    arch: 'amd64',
    cpu_cores: 4,
    speed_score: 45,
    memory_bytes: 8 * GIB,
    idle: 66,
    max: 140,
    weight: 1,
  },
  laptop: {
    tier: 'portable',
    arch: 'amd64',
    cpu_cores: 8,
    speed_score: 150,
    memory_bytes: 16 * GIB,
    idle: 8,
    max: 45,
    weight: 2,
  },
  nas: {
    tier: 'nas',
    arch: 'amd64',
    cpu_cores: 4,
    speed_score: 60,
    memory_bytes: 8 * GIB,
    idle: 18,
    max: 30,
    always_on: true,
    weight: 0,
  },
  gpu: {
    tier: 'gpu',
    arch: 'amd64',
    cpu_cores: 16,
    speed_score: 200,
    memory_bytes: 64 * GIB,
    idle: 60,
    max: 350,
    gpus: [{ model: 'NVIDIA GeForce RTX 4080 SUPER', vram_bytes: 16 * GIB }],
    weight: 0,
  },
};

interface WorkloadType {
  /** Mean CPU in score-cores, drawn log-uniformly between the two. */
  cpu: [number, number];
  memoryMiB: [number, number];
  amd64Only?: number;
  gpu?: { vramGiB: [number, number]; watts: [number, number] };
  latencySensitive?: boolean;
  alwaysOn?: boolean;
  weight: number;
}

const WORKLOAD_TYPES: Record<string, WorkloadType> = {
  'small-service': { cpu: [0.2, 4], memoryMiB: [20, 200], amd64Only: 0.2, weight: 50 },
  'web-app': { cpu: [2, 20], memoryMiB: [100, 800], amd64Only: 0.3, weight: 25 },
  database: { cpu: [5, 40], memoryMiB: [200, 2048], amd64Only: 0.1, weight: 10 },
  media: { cpu: [20, 120], memoryMiB: [300, 2048], amd64Only: 0.5, weight: 6 },
  dns: { cpu: [0.1, 1], memoryMiB: [20, 80], latencySensitive: true, weight: 4 },
  backup: { cpu: [0.5, 5], memoryMiB: [50, 500], alwaysOn: true, weight: 3 },
  inference: {
    cpu: [5, 30],
    memoryMiB: [1024, 8192],
    amd64Only: 1,
    gpu: { vramGiB: [1, 6], watts: [20, 120] },
    weight: 1,
  },
};

export interface HomelabOptions {
  machines: number;
  workloads: number;
  /** Share of workloads pinned to their machine or tier. */
  pinned?: number;
  /** Add a what-if machine (an N100 not bought yet). */
  hypothetical?: boolean;
  options?: ScenarioInput['options'];
}

export function randomHomelab(seed: number, o: HomelabOptions): Scenario {
  const random = prng(seed);
  const between = ([lo, hi]: [number, number]) => lo + (hi - lo) * random();
  const logBetween = ([lo, hi]: [number, number]) => lo * (hi / lo) ** random();
  const pick = <T extends { weight: number }>(types: Record<string, T>): [string, T] => {
    const entries = Object.entries(types).filter(([, t]) => t.weight > 0);
    let r = random() * entries.reduce((sum, [, t]) => sum + t.weight, 0);
    for (const entry of entries) {
      r -= entry[1].weight;
      if (r <= 0) return entry;
    }
    return entries[entries.length - 1] as [string, T];
  };

  // NASes that stay on and GPU boxes in proportion (one of each in a homelab of three or more); the
  // rest drawn by how common each type is.
  const kinds = o.machines > 2 ? ['nas', 'gpu'] : ['nas'];
  for (let n = 20; n < o.machines; n += 20) kinds.push('nas');
  for (let n = 25; n < o.machines; n += 25) kinds.push('gpu');
  kinds.splice(o.machines);
  while (kinds.length < o.machines) kinds.push(pick(MACHINE_TYPES)[0]);
  const machineInput = (kind: string, name: string, hypothetical: boolean) => {
    const { idle, max, weight: _, ...type } = MACHINE_TYPES[kind] as MachineType;
    return machineSchema.parse({
      ...type,
      name,
      hypothetical,
      power: { idle_watts: idle, max_watts: max, source: 'profile' },
      // A real machine draws power now; a what-if one has no series.
      ...(hypothetical ? {} : { power_watts: [idle] }),
    });
  };
  const counts = new Map<string, number>();
  const machines = kinds.map((kind) => {
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    return machineInput(kind, `${kind}-${n}`, false);
  });
  if (o.hypothetical) machines.push(machineInput('n100', 'n100-new', true));
  const real = machines.filter((m) => !m.hypothetical);
  const options = optionsSchema.parse(o.options ?? {});
  const workloads = Array.from({ length: o.workloads }, (_, i) => {
    const [kind, type] = pick(WORKLOAD_TYPES);
    const mean = logBetween(type.cpu);
    const p95 = mean * between([1.5, 4]);
    const memory = logBetween(type.memoryMiB) * MIB;
    const gpu = type.gpu && {
      vram_bytes: Math.round(between(type.gpu.vramGiB) * GIB),
      power_share: between([0.1, 0.6]),
    };
    return workloadSchema.parse({
      name: `${kind}-${i + 1}`,
      kind: 'container',
      machine: 'unplaced',
      cpu: { mean, p95, max: p95 * 1.5 },
      memory: { p95_bytes: memory * 0.8, max_bytes: memory },
      needs_gpu: gpu !== undefined,
      arches: random() < (type.amd64Only ?? 0) ? ['amd64'] : [],
      latency_sensitive: type.latencySensitive ?? false,
      always_on: type.alwaysOn ?? false,
      ...(gpu && { gpu, gpu_watts: [between(type.gpu?.watts ?? [0, 0])] }),
    });
  });
  const may = (w: Workload) =>
    real.filter(
      (m) =>
        (w.arches.length === 0 || w.arches.includes(m.arch)) &&
        (!w.needs_gpu || m.gpus.length > 0) &&
        (!w.always_on || m.always_on || !m.may_power_off),
    );
  const load = new Map(real.map((m) => [m, { cpu: 0, memory: 0, vram: 0 }]));
  const vramOf = (m: Machine) => m.gpus.reduce((sum, g) => sum + g.vram_bytes, 0);
  const memoryOf = (w: Workload) => memoryRequestBytes(w, options.memory_margin);
  // Like an owner, place the workloads with fewest choices first.
  for (const w of [...workloads].sort((a, b) => may(a).length - may(b).length)) {
    const candidates = may(w);
    const fits = candidates.filter((m) => {
      const l = load.get(m) as { cpu: number; memory: number; vram: number };
      return (
        l.cpu + cpuRequestCores(w, m) <= options.cpu_headroom * m.cpu_cores &&
        l.memory + memoryOf(w) <= m.memory_bytes &&
        (vramOf(m) === 0 || l.vram + (w.gpu?.vram_bytes ?? 0) <= vramOf(m))
      );
    });
    // Where nothing has room the owner overloaded a machine: a current placement that breaks a rule.
    const choices = fits.length > 0 ? fits : candidates.length > 0 ? candidates : real;
    const machine = choices[Math.floor(random() * choices.length)] as Machine;
    w.machine = machine.name;
    const l = load.get(machine) as { cpu: number; memory: number; vram: number };
    l.cpu += cpuRequestCores(w, machine);
    l.memory += memoryOf(w);
    l.vram += w.gpu?.vram_bytes ?? 0;
    if (random() < (o.pinned ?? 0.05)) w.pin = random() < 0.5 ? machine.name : machine.tier;
  }

  // Its parts went through their schemas above.
  return {
    window: { start: 0, end: HOURS * 3600, step_seconds: HOURS * 3600 },
    tariff: tariffSchema.parse({
      currency: 'EUR',
      timezone: 'Europe/Berlin',
      price_per_kwh: 0.32,
      bands: [{ from: '00:00', to: '06:00', price_per_kwh: 0.22 }],
    }),
    machines,
    workloads,
    options,
  };
}
