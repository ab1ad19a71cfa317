import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { prng } from '../../cost/placement/random-homelab.ts';

/**
 * A week of a realistic four-machine homelab, written directly as the `tierwise:*` contract series and
 * the agent's inventory series (what Prometheus holds once the recording rules have run), for
 * backfilling with `promtool tsdb create-blocks-from openmetrics`.
 *
 * Built so that the right advice is plain: the old desktop idles at 42 W to run three light services
 * that fit on the N100 (one of them x86-only); the N100 keeps Home Assistant (pinned: the Zigbee stick
 * is in it); the Pi keeps Pi-hole (latency-sensitive); the GPU box keeps Ollama (it holds VRAM).
 */

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export interface HistoryMachine {
  instance: string;
  tier: string;
  class: string;
  arch: string;
  cores: number;
  speedScore: number;
  memoryBytes: number;
  /** Whole machine at rest, GPU idle included. */
  idleWatts: number;
  /** Watts at 100 % CPU above idle. */
  cpuDynamicWatts: number;
  source: string;
  gpu?: { model: string; vramBytes: number; idleWatts: number; busyWatts: number };
}

export interface HistoryWorkload {
  workload: string;
  kind: string;
  namespace: string;
  instance: string;
  /** Cores used at time t (UTC hour of day h, day d). */
  cores: (h: number, d: number) => number;
  memoryBytes: (h: number) => number;
  info: Partial<Record<'image_platforms' | 'needs_gpu' | 'pin' | 'always_on' | 'latency_sensitive', string>>;
  /** Share of GPU activity at hour h (0–1), for a workload holding VRAM. */
  gpu?: { vramBytes: number; activity: (h: number) => number };
}

/** Evening peak (20:00) of 0–1, a homelab's media and chat hours. */
const evening = (h: number) => Math.max(0, Math.cos(((h - 20) / 24) * 2 * Math.PI)) ** 3;
/** A window [from, to) of hours each day. */
const during = (h: number, from: number, to: number) => (h >= from && h < to ? 1 : 0);

export const MACHINES: HistoryMachine[] = [
  {
    instance: 'gpu-box',
    tier: 'workstation',
    class: 'modern',
    arch: 'amd64',
    cores: 16,
    speedScore: 250,
    memoryBytes: 64 * GiB,
    idleWatts: 65,
    cpuDynamicWatts: 200,
    source: 'plug',
    gpu: { model: 'NVIDIA GeForce RTX 3090', vramBytes: 24 * GiB, idleWatts: 20, busyWatts: 280 },
  },
  {
    instance: 'n100',
    tier: 'mini-pc',
    class: 'modern',
    arch: 'amd64',
    cores: 4,
    speedScore: 120,
    memoryBytes: 16 * GiB,
    idleWatts: 7,
    cpuDynamicWatts: 18,
    source: 'components',
  },
  {
    instance: 'pi4',
    tier: 'pi',
    class: 'legacy',
    arch: 'arm64',
    cores: 4,
    speedScore: 35,
    memoryBytes: 4 * GiB,
    idleWatts: 2.7,
    cpuDynamicWatts: 3.7,
    source: 'model',
  },
  {
    instance: 'old-desktop',
    tier: 'legacy-desktop',
    class: 'legacy',
    arch: 'amd64',
    cores: 4,
    speedScore: 90,
    memoryBytes: 16 * GiB,
    idleWatts: 42,
    cpuDynamicWatts: 68,
    source: 'plug',
  },
];

/** The owner's facts about these machines, as tierwise.yml's `machines:` gives them to advise and report. */
export const MACHINE_FACTS = {
  'gpu-box': { purchase_price: 1800, lifetime_years: 5, salvage_value: 300 },
  n100: { purchase_price: 160, lifetime_years: 5 },
  'old-desktop': { upkeep_per_year: 20 },
};

/** A London night-band tariff, the tests' usual one. */
export const TARIFF = {
  currency: 'GBP',
  timezone: 'Europe/London',
  price_per_kwh: 0.28,
  bands: [{ from: '00:00', to: '07:00', price_per_kwh: 0.09 }],
  standing_charge_per_day: 0.5,
};

export const WORKLOADS: HistoryWorkload[] = [
  {
    workload: 'ai/ollama',
    kind: 'container',
    namespace: '',
    instance: 'gpu-box',
    cores: (h) => 0.05 + 1.5 * evening(h),
    memoryBytes: (h) => 11 * GiB + 2 * GiB * evening(h),
    info: { image_platforms: 'linux/amd64' },
    gpu: { vramBytes: 10 * GiB, activity: (h) => evening(h) },
  },
  {
    workload: 'home/home-assistant',
    kind: 'container',
    namespace: '',
    instance: 'n100',
    cores: (h) => 0.08 + 0.04 * evening(h),
    memoryBytes: () => 600 * MiB,
    info: { image_platforms: 'linux/amd64', pin: 'n100' },
  },
  {
    workload: 'media/jellyfin',
    kind: 'container',
    namespace: '',
    instance: 'n100',
    cores: (h) => 0.05 + 0.8 * evening(h),
    memoryBytes: (h) => 500 * MiB + 400 * MiB * evening(h),
    info: { image_platforms: 'linux/amd64' },
  },
  {
    workload: 'dns/pihole',
    kind: 'container',
    namespace: '',
    instance: 'pi4',
    // Gravity update at 03:00 every day.
    cores: (h) => 0.02 + 0.9 * during(h, 3, 3.25),
    memoryBytes: () => 80 * MiB,
    info: { image_platforms: 'linux/arm64', latency_sensitive: 'true' },
  },
  {
    workload: 'home/mosquitto',
    kind: 'container',
    namespace: '',
    instance: 'pi4',
    cores: () => 0.01,
    memoryBytes: () => 20 * MiB,
    info: { image_platforms: 'linux/arm64' },
  },
  {
    workload: 'net/unifi-controller',
    kind: 'container',
    namespace: '',
    instance: 'old-desktop',
    cores: () => 0.06,
    memoryBytes: () => 1.1 * GiB,
    // The controller's image is published for amd64 only.
    info: { image_platforms: 'linux/amd64' },
  },
  {
    workload: 'sonarr.service',
    kind: 'service',
    namespace: '',
    instance: 'old-desktop',
    // An RSS sweep for ten minutes of every hour.
    cores: (h) => 0.03 + 0.25 * (h % 1 < 1 / 6 ? 1 : 0),
    memoryBytes: () => 350 * MiB,
    info: {},
  },
  {
    workload: 'backup/restic',
    kind: 'container',
    namespace: '',
    instance: 'old-desktop',
    // Nightly backup, 02:00–02:30.
    cores: (h) => 1.2 * during(h, 2, 2.5),
    memoryBytes: (h) => 40 * MiB + 700 * MiB * during(h, 2, 2.5),
    info: { image_platforms: 'linux/amd64,linux/arm64' },
  },
];

/** The agent's remainder on every machine: the OS, the agent itself. */
const HOST_OTHER_CORES = 0.03;

/** Deterministic noise in ±1. */
function noise(seed: number): () => number {
  const next = prng(seed);
  return () => next() * 2 - 1;
}

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');

export interface HistoryOptions {
  /** Last sample, epoch seconds. */
  end: number;
  days?: number;
  /** Seconds between samples of the history series. */
  stepSeconds?: number;
  /** Seconds between inventory samples. */
  inventorySeconds?: number;
  /** Default: the four machines and eight workloads above. */
  lab?: HistoryLab;
}

export interface HistoryLab {
  machines: HistoryMachine[];
  workloads: HistoryWorkload[];
}

/**
 * Writes the history as OpenMetrics text to a file and returns its path. Each family's series are
 * written whole, one after another, as promtool wants them.
 */
export async function writeHistory(file: string, opts: HistoryOptions): Promise<void> {
  const machines = opts.lab?.machines ?? MACHINES;
  const workloads = opts.lab?.workloads ?? WORKLOADS;
  const days = opts.days ?? 7;
  const step = opts.stepSeconds ?? 300;
  const invStep = opts.inventorySeconds ?? 600;
  const start = opts.end - days * 86400;
  const times: number[] = [];
  for (let t = start - (start % step) + step; t <= opts.end; t += step) times.push(t);
  const invTimes: number[] = [];
  for (let t = start - (start % invStep) + invStep; t <= opts.end; t += invStep) invTimes.push(t);
  const hourOf = (t: number) => (t % 86400) / 3600;
  const dayOf = (t: number) => Math.floor(t / 86400);

  const out = createWriteStream(file);
  const write = (s: string) => {
    if (!out.write(s)) return new Promise<void>((r) => out.once('drain', () => r()));
  };
  const family = async (
    name: string,
    series: { labels: Record<string, string>; at: (t: number) => number }[],
    at = times,
  ) => {
    await write(`# TYPE ${name} gauge\n`);
    for (const s of series) {
      const l = labelText(s.labels);
      const lines: string[] = [];
      for (const t of at) lines.push(`${name}{${l}} ${Number(s.at(t).toFixed(6))} ${t}`);
      await write(`${lines.join('\n')}\n`);
    }
  };

  // Each machine's CPU busy cores and power at every step, from its workloads.
  const on = new Map(machines.map((m) => [m.instance, workloads.filter((w) => w.instance === m.instance)]));
  const busyCores = (m: HistoryMachine, t: number) =>
    HOST_OTHER_CORES + (on.get(m.instance) ?? []).reduce((a, w) => a + w.cores(hourOf(t), dayOf(t)), 0);
  const gpuWatts = (m: HistoryMachine, t: number) => {
    if (!m.gpu) return 0;
    const activity = Math.min(
      1,
      (on.get(m.instance) ?? [])
        .filter((w) => w.gpu)
        .reduce((a, w) => a + (w.gpu?.activity(hourOf(t)) ?? 0), 0),
    );
    return m.gpu.idleWatts + (m.gpu.busyWatts - m.gpu.idleWatts) * activity;
  };
  const jitter = noise(42);
  const power = new Map(
    machines.map((m) => {
      const values = new Map<number, number>();
      for (const t of times) {
        const cpuIdle = m.idleWatts - (m.gpu?.idleWatts ?? 0);
        const busy = Math.min(1, busyCores(m, t) / m.cores);
        values.set(t, cpuIdle + m.cpuDynamicWatts * busy + gpuWatts(m, t) + jitter() * 0.01 * m.idleWatts);
      }
      return [m.instance, values];
    }),
  );

  await family(
    'tierwise:node_power_watts',
    machines.map((m) => ({
      labels: { instance: m.instance, source: m.source },
      at: (t) => power.get(m.instance)?.get(t) ?? 0,
    })),
  );
  await family(
    'tierwise:node_idle_watts',
    machines.map((m) => ({ labels: { instance: m.instance }, at: () => m.idleWatts * 1.005 })),
  );
  await family(
    'tierwise:node_cpu_busy:ratio5m',
    machines.map((m) => ({
      labels: { instance: m.instance },
      at: (t) => Math.min(1, busyCores(m, t) / m.cores),
    })),
  );
  const gpuMachines = machines.filter((m) => m.gpu);
  await family(
    'tierwise:gpu_power_watts',
    gpuMachines.map((m) => ({
      labels: { instance: m.instance, uuid: `GPU-${m.instance}-0` },
      at: (t) => gpuWatts(m, t),
    })),
  );
  const workloadLabels = (w: HistoryWorkload) => ({
    instance: w.instance,
    workload: w.workload,
    kind: w.kind,
    namespace: w.namespace,
  });
  const hostOther = machines.map((m) => ({
    labels: { instance: m.instance, workload: 'host/other', kind: 'process', namespace: '' },
  }));
  await family('tierwise:workload_cpu_cores:rate5m', [
    ...workloads.map((w) => ({ labels: workloadLabels(w), at: (t: number) => w.cores(hourOf(t), dayOf(t)) })),
    ...hostOther.map((h) => ({ ...h, at: () => HOST_OTHER_CORES })),
  ]);
  await family('tierwise:workload_memory_working_set_bytes', [
    ...workloads.map((w) => ({ labels: workloadLabels(w), at: (t: number) => w.memoryBytes(hourOf(t)) })),
    ...hostOther.map((h) => ({ ...h, at: () => 900 * MiB })),
  ]);
  const gpuWorkloads = workloads.filter((w) => w.gpu);
  await family(
    'tierwise:workload_gpu_memory_bytes',
    gpuWorkloads.map((w) => ({
      labels: { ...workloadLabels(w), uuid: `GPU-${w.instance}-0` },
      at: () => w.gpu?.vramBytes ?? 0,
    })),
  );
  // The only VRAM holder on its GPU takes all of the GPU's power (rules/recording.ts).
  await family(
    'tierwise:workload_gpu_power_watts',
    gpuWorkloads.map((w) => ({
      labels: workloadLabels(w),
      at: (t: number) => gpuWatts(machines.find((m) => m.instance === w.instance) as HistoryMachine, t),
    })),
  );

  const agent = (instance: string) => ({ instance, job: 'tierwise-agent' });
  await family(
    'tierwise_node_info',
    machines.map((m) => ({
      labels: {
        ...agent(m.instance),
        tier: m.tier,
        class: m.class,
        arch: m.arch,
        model: '',
        os: 'Debian GNU/Linux 12',
        kernel: '6.1.0',
        version: '0.1.0',
      },
      at: () => 1,
    })),
    invTimes,
  );
  await family(
    'tierwise_node_cpu_speed_score',
    machines.map((m) => ({ labels: agent(m.instance), at: () => m.speedScore })),
    invTimes,
  );
  await family(
    'tierwise_node_cpu_cores',
    machines.map((m) => ({ labels: agent(m.instance), at: () => m.cores })),
    invTimes,
  );
  await family(
    'tierwise_node_memory_bytes',
    machines.map((m) => ({ labels: agent(m.instance), at: () => m.memoryBytes })),
    invTimes,
  );
  await family(
    'tierwise_gpu_memory_total_bytes',
    gpuMachines.map((m) => ({
      labels: { ...agent(m.instance), gpu: '0', uuid: `GPU-${m.instance}-0`, model: m.gpu?.model ?? '' },
      at: () => m.gpu?.vramBytes ?? 0,
    })),
    invTimes,
  );
  // The Pi has no meter of its own: its model runs on a profile calibrated against a plug once.
  await family(
    'tierwise_node_power_profile_info',
    machines
      .filter((m) => m.source === 'model')
      .map((m) => ({
        labels: {
          ...agent(m.instance),
          profile: 'calibrated',
          source: 'tierwise calibrate against plug, 40 points, 2026-10-01',
        },
        at: () => 1,
      })),
    invTimes,
  );
  await family(
    'tierwise_workload_info',
    workloads.map((w) => ({
      labels: {
        ...agent(w.instance),
        workload: w.workload,
        kind: w.kind,
        namespace: w.namespace,
        image: '',
        image_platforms: w.info.image_platforms ?? '',
        resolved_by: w.kind === 'service' ? 'systemd' : 'docker',
        needs_gpu: w.info.needs_gpu ?? '',
        pin: w.info.pin ?? '',
        always_on: w.info.always_on ?? '',
        latency_sensitive: w.info.latency_sensitive ?? '',
      },
      at: () => 1,
    })),
    invTimes,
  );
  await write('# EOF\n');
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

/** Backfills the history into a Prometheus data directory (for startPrometheus' `seed`). */
export async function backfillHistory(dataDir: string, opts: HistoryOptions): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-advise-history-'));
  try {
    const file = path.join(dir, 'history.om');
    await writeHistory(file, opts);
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dataDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The same history as Prometheus text exposition lines with millisecond timestamps, for
 * VictoriaMetrics' `/api/v1/import/prometheus` (which reads timestamps as milliseconds, where
 * OpenMetrics has seconds). The OpenMetrics comments (`# TYPE`, `# EOF`) are left out.
 */
export async function historyForImport(opts: HistoryOptions): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-advise-history-'));
  try {
    const file = path.join(dir, 'history.om');
    await writeHistory(file, opts);
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.replace(/ (\d+)$/, (_, seconds: string) => ` ${Number(seconds) * 1000}`))
      .join('\n')
      .concat('\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
