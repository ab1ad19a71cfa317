import { FamilyBuilder, type Labels, type MetricFamily } from '../metrics.ts';
import {
  CLOCK_EVENT_REASONS,
  decodeClockEventReasons,
  type GpuClock,
  type GpuReading,
  type ListedGpu,
} from '../parsers/nvidia-smi.ts';
import { addNodePower } from '../power/series.ts';
import type { WorkloadVram } from './process-workloads.ts';

/** What one scrape shows: the last complete sample and what the slow loop last found, with their ages. */
export interface GpuView {
  gpus: GpuReading[];
  sampleAgeSeconds: number;
  /** Left out once older than the collector allows. */
  processes?: { vram: WorkloadVram[]; ageSeconds: number };
  layout?: ListedGpu[];
  starts: { stream: number; poll: number };
}

const CLOCKS: GpuClock[] = ['graphics', 'sm', 'memory', 'video'];
const ECC = [
  ['corrected', 'volatile'],
  ['corrected', 'aggregate'],
  ['uncorrected', 'volatile'],
  ['uncorrected', 'aggregate'],
] as const;

/** Every label set one GPU's series use. */
interface GpuLabelSets {
  /** What they were made from besides the uuid; a change (a GPU renumbered) makes them anew. */
  from: string;
  base: Labels;
  info: Labels;
  sensor: Record<'gpu' | 'memory', Labels>;
  clock: Record<GpuClock, Labels>;
  reason: Map<string, Labels>;
  ecc: Labels[];
  cause: Record<'single_bit_ecc' | 'double_bit_ecc', Labels>;
}

/**
 * Label sets per GPU, kept across scrapes: they change only when the GPU does, and making the ~40 of each
 * GPU afresh was most of the collector's time on a scrape (measured in-process, two GPUs: 51 → 7.5 µs).
 */
export class GpuLabelCache {
  private sets = new Map<string, GpuLabelSets>();

  of(gpu: GpuReading): GpuLabelSets {
    const from = `${gpu.index}\u0000${gpu.name}\u0000${gpu.driverVersion ?? ''}\u0000${gpu.pciBusId ?? ''}`;
    const hit = this.sets.get(gpu.uuid);
    if (hit?.from === from) return hit;
    const base: Labels = { gpu: String(gpu.index), uuid: gpu.uuid, model: gpu.name };
    const made: GpuLabelSets = {
      from,
      base,
      info: { ...base, driver_version: gpu.driverVersion ?? '', pci_bus_id: gpu.pciBusId ?? '' },
      sensor: { gpu: { ...base, sensor: 'gpu' }, memory: { ...base, sensor: 'memory' } },
      clock: Object.fromEntries(
        CLOCKS.map((clock): [GpuClock, Labels] => [clock, { ...base, clock }]),
      ) as Record<GpuClock, Labels>,
      reason: new Map(CLOCK_EVENT_REASONS.map(([reason]) => [reason, { ...base, reason }])),
      ecc: ECC.map(([type, scope]) => ({ ...base, type, scope })),
      cause: {
        single_bit_ecc: { ...base, cause: 'single_bit_ecc' },
        double_bit_ecc: { ...base, cause: 'double_bit_ecc' },
      },
    };
    this.sets.set(gpu.uuid, made);
    return made;
  }

  /** Forgets GPUs no longer present. */
  keepOnly(gpus: GpuReading[]): void {
    if (this.sets.size <= gpus.length) return;
    const present = new Set(gpus.map((g) => g.uuid));
    for (const uuid of this.sets.keys()) if (!present.has(uuid)) this.sets.delete(uuid);
  }
}

const HELP = {
  temperature: 'GPU temperature, by sensor.',
  clock: 'Current clock, by domain.',
  clockMax: 'Maximum clock, by domain.',
  throttle:
    'Whether this reason holds the clocks down now (NVIDIA: clock event reasons), for each one the GPU supports.',
  ecc: "ECC errors: volatile since the driver was loaded, aggregate over the GPU's life.",
  retired: 'Memory pages retired, by cause.',
};

/**
 * The `tierwise_gpu_*{gpu,uuid,model}` families of one sample, in base units. A value the driver does not
 * give is no sample at all, never 0; so is a node total that some GPU cannot contribute to.
 */
export function gpuFamilies(view: GpuView, labels = new GpuLabelCache()): MetricFamily[] {
  const b = new FamilyBuilder();
  const labelsByUuid = new Map<string, Labels>();
  labels.keepOnly(view.gpus);
  const gauge = (name: string, help: string, value: number | undefined, l: Labels) => {
    if (value !== undefined) b.gauge(name, help, value, l);
  };
  for (const gpu of view.gpus) {
    const l = labels.of(gpu);
    labelsByUuid.set(gpu.uuid, l.base);
    b.gauge('tierwise_gpu_info', 'The GPU, its driver and PCI address.', 1, l.info);
    gauge(
      'tierwise_gpu_utilization_ratio',
      'Share of time a kernel ran on the GPU.',
      gpu.utilization.gpu,
      l.base,
    );
    gauge(
      'tierwise_gpu_memory_utilization_ratio',
      'Share of time GPU memory was being read or written.',
      gpu.utilization.memory,
      l.base,
    );
    gauge(
      'tierwise_gpu_encoder_utilization_ratio',
      'Video encoder utilisation.',
      gpu.utilization.encoder,
      l.base,
    );
    gauge(
      'tierwise_gpu_decoder_utilization_ratio',
      'Video decoder utilisation.',
      gpu.utilization.decoder,
      l.base,
    );
    gauge('tierwise_gpu_memory_used_bytes', 'GPU memory in use.', gpu.memoryUsedBytes, l.base);
    gauge('tierwise_gpu_memory_total_bytes', 'GPU memory, total.', gpu.memoryTotalBytes, l.base);
    gauge('tierwise_gpu_power_watts', 'Power the GPU board draws.', gpu.powerWatts, l.base);
    gauge('tierwise_gpu_power_limit_watts', 'Power limit the driver enforces.', gpu.powerLimitWatts, l.base);
    if (gpu.energyJoules !== undefined) {
      b.counter(
        'tierwise_gpu_energy_joules_total',
        'Energy the GPU used since the driver was loaded (total_energy_consumption).',
        gpu.energyJoules,
        l.base,
      );
    }
    gauge('tierwise_gpu_temperature_celsius', HELP.temperature, gpu.temperatureCelsius.gpu, l.sensor.gpu);
    gauge(
      'tierwise_gpu_temperature_celsius',
      HELP.temperature,
      gpu.temperatureCelsius.memory,
      l.sensor.memory,
    );
    gauge('tierwise_gpu_fan_ratio', 'Fan speed as a share of its maximum.', gpu.fanRatio, l.base);
    for (const clock of CLOCKS) {
      gauge('tierwise_gpu_clock_hertz', HELP.clock, gpu.clocksHertz[clock], l.clock[clock]);
      gauge('tierwise_gpu_clock_max_hertz', HELP.clockMax, gpu.maxClocksHertz[clock], l.clock[clock]);
    }
    gauge(
      'tierwise_gpu_pstate',
      'Performance state: 0 (P0) is the fastest, 15 the slowest.',
      gpu.pstate,
      l.base,
    );
    if (gpu.clockEventReasons) {
      for (const { reason, active } of decodeClockEventReasons(gpu.clockEventReasons)) {
        gauge('tierwise_gpu_throttle_reason', HELP.throttle, active ? 1 : 0, l.reason.get(reason) as Labels);
      }
    }
    ECC.forEach(([type, scope], i) => {
      const value = gpu.eccErrors[type][scope];
      if (value !== undefined)
        b.counter('tierwise_gpu_ecc_errors_total', HELP.ecc, value, l.ecc[i] as Labels);
    });
    gauge('tierwise_gpu_retired_pages', HELP.retired, gpu.retiredPages.singleBitEcc, l.cause.single_bit_ecc);
    gauge('tierwise_gpu_retired_pages', HELP.retired, gpu.retiredPages.doubleBitEcc, l.cause.double_bit_ecc);
    gauge(
      'tierwise_gpu_mig_enabled',
      'Whether the GPU is split into MIG instances.',
      gpu.migEnabled === undefined ? undefined : gpu.migEnabled ? 1 : 0,
      l.base,
    );
  }
  for (const listed of view.layout ?? []) {
    const l = labelsByUuid.get(listed.uuid);
    if (!l || view.gpus.find((g) => g.uuid === listed.uuid)?.migEnabled !== true) continue;
    for (const mig of listed.mig) {
      b.gauge('tierwise_gpu_mig_instance_info', 'A MIG device of the GPU and its profile.', 1, {
        ...l,
        mig_device: String(mig.device),
        mig_uuid: mig.uuid,
        profile: mig.profile,
      });
    }
  }
  if (view.processes) {
    for (const { gpuUuid, workload, bytes } of view.processes.vram) {
      const l = labelsByUuid.get(gpuUuid);
      if (!l) continue;
      b.gauge('tierwise_gpu_process_memory_bytes', 'GPU memory held by the processes of a workload.', bytes, {
        gpu: l.gpu as string,
        uuid: gpuUuid,
        workload: workload.name,
        kind: workload.kind,
        namespace: workload.namespace,
      });
    }
    b.gauge(
      'tierwise_gpu_process_sample_age_seconds',
      'Age of the GPU process list the process series come from.',
      view.processes.ageSeconds,
    );
  }
  b.gauge(
    'tierwise_gpu_sample_age_seconds',
    'Age of the GPU sample this scrape serves.',
    view.sampleAgeSeconds,
  );
  for (const [mode, count] of Object.entries(view.starts)) {
    b.counter(
      'tierwise_gpu_nvidia_smi_starts_total',
      'nvidia-smi processes the agent started: the long-lived stream, and the slow process/MIG poll.',
      count,
      { mode },
    );
  }
  addNodePower(b, 'gpu', {
    watts: sumOfAll(view.gpus.map((g) => g.powerWatts)),
    joules: sumOfAll(view.gpus.map((g) => g.energyJoules)),
  });
  return b.build();
}

/** The sum when every GPU has a value; a total missing a GPU would read as a drop in power. */
function sumOfAll(values: (number | undefined)[]): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return values.reduce((a: number, v) => a + (v as number), 0);
}
