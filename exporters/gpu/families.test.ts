import { describe, expect, it } from 'vitest';
import { readFixture, sampleValue } from '../../test/support/fixtures.ts';
import type { MetricFamily } from '../metrics.ts';
import { type GpuReading, parseGpuList, parseQueryGpuCsv } from '../parsers/nvidia-smi.ts';
import { gpuFamilies } from './families.ts';

const reading = (capture: string, index: number, uuid: string): GpuReading => {
  const [gpu] = parseQueryGpuCsv(
    readFixture('nvidia-smi/csv/from-captures', `${capture}__load__query-gpu.csv`),
  );
  if (!gpu) throw new Error(capture);
  return { ...gpu, index, count: 2, uuid };
};
const rtx4080 = reading('linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05', 0, 'GPU-a');
const h100Mig = reading('linux-x86_64__nvidia-h100-mig__590.48.01', 1, 'GPU-b');
const l4080 = { gpu: '0', uuid: 'GPU-a', model: 'NVIDIA GeForce RTX 4080 SUPER' };
const lH100 = { gpu: '1', uuid: 'GPU-b', model: 'NVIDIA H100 80GB HBM3' };
const base = { sampleAgeSeconds: 0.5, starts: { stream: 1, poll: 2 } };

const names = (families: MetricFamily[], labels: Record<string, string>) =>
  families.filter((f) => f.samples.some((s) => s.labels.uuid === labels.uuid)).map((f) => f.name);

describe('gpuFamilies', () => {
  it('gives each GPU its series in base units, labelled gpu, uuid and model', () => {
    const f = gpuFamilies({ ...base, gpus: [rtx4080, h100Mig] });
    expect(sampleValue(f, 'tierwise_gpu_utilization_ratio', l4080)).toBe(0.07);
    expect(sampleValue(f, 'tierwise_gpu_memory_total_bytes', l4080)).toBe(16376 * 2 ** 20);
    expect(sampleValue(f, 'tierwise_gpu_power_watts', lH100)).toBe(433.78);
    expect(sampleValue(f, 'tierwise_gpu_power_limit_watts', l4080)).toBe(320);
    expect(sampleValue(f, 'tierwise_gpu_clock_hertz', { ...l4080, clock: 'sm' })).toBe(2805e6);
    expect(sampleValue(f, 'tierwise_gpu_temperature_celsius', { ...lH100, sensor: 'memory' })).toBe(59);
    expect(sampleValue(f, 'tierwise_gpu_pstate', l4080)).toBe(2);
    expect(sampleValue(f, 'tierwise_gpu_throttle_reason', { ...l4080, reason: 'sw_power_cap' })).toBe(0);
    expect(sampleValue(f, 'tierwise_gpu_mig_enabled', lH100)).toBe(1);
    expect(
      sampleValue(f, 'tierwise_gpu_ecc_errors_total', { ...lH100, type: 'uncorrected', scope: 'aggregate' }),
    ).toBe(0);
    expect(sampleValue(f, 'tierwise_gpu_sample_age_seconds')).toBe(0.5);
    expect(sampleValue(f, 'tierwise_gpu_nvidia_smi_starts_total', { mode: 'poll' })).toBe(2);
  });

  it('leaves out what the driver says it cannot give, rather than writing 0', () => {
    const f = gpuFamilies({ ...base, gpus: [rtx4080, h100Mig] });
    // MIG mode: no utilisation; no fan on a passively cooled H100; no ECC or memory sensor on GeForce.
    expect(names(f, lH100)).not.toContain('tierwise_gpu_utilization_ratio');
    expect(names(f, lH100)).not.toContain('tierwise_gpu_fan_ratio');
    expect(names(f, l4080)).not.toContain('tierwise_gpu_ecc_errors_total');
    expect(names(f, l4080)).not.toContain('tierwise_gpu_mig_enabled');
    expect(
      sampleValue(f, 'tierwise_gpu_temperature_celsius', { ...l4080, sensor: 'memory' }),
    ).toBeUndefined();
    expect(names(f, l4080)).not.toContain('tierwise_gpu_energy_joules_total');
    expect(f.find((s) => s.name === 'tierwise_node_energy_joules_total')).toBeUndefined();
    for (const family of f) for (const s of family.samples) expect(Number.isFinite(s.value)).toBe(true);
  });

  it("adds every GPU's power to the node's component power, only when each GPU reports it", () => {
    const both = gpuFamilies({ ...base, gpus: [rtx4080, h100Mig] });
    expect(sampleValue(both, 'tierwise_node_power_watts', { source: 'gpu' })).toBeCloseTo(84.24 + 433.78, 6);
    const oneBlind = gpuFamilies({ ...base, gpus: [rtx4080, { ...h100Mig, powerWatts: undefined }] });
    expect(sampleValue(oneBlind, 'tierwise_node_power_watts', { source: 'gpu' })).toBeUndefined();
  });

  it('counts energy where the driver has total_energy_consumption, for the GPU and the node', () => {
    const f = gpuFamilies({
      ...base,
      gpus: [
        { ...rtx4080, energyJoules: 1000 },
        { ...h100Mig, energyJoules: 2500.5 },
      ],
    });
    expect(sampleValue(f, 'tierwise_gpu_energy_joules_total', l4080)).toBe(1000);
    expect(f.find((s) => s.name === 'tierwise_gpu_energy_joules_total')?.type).toBe('counter');
    expect(sampleValue(f, 'tierwise_node_energy_joules_total', { source: 'gpu' })).toBe(3500.5);
  });

  it('lists the MIG devices of GPUs in MIG mode, and VRAM per workload with its age', () => {
    const [listed] = parseGpuList(
      'GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-b)\n  MIG 3g.40gb     Device  0: (UUID: MIG-0)\n',
    );
    const f = gpuFamilies({
      ...base,
      gpus: [rtx4080, h100Mig],
      layout: listed
        ? [listed, { index: 0, name: 'x', uuid: 'GPU-a', mig: [{ profile: '1g', device: 0, uuid: 'MIG-9' }] }]
        : [],
      processes: {
        ageSeconds: 12,
        vram: [
          {
            gpuUuid: 'GPU-b',
            workload: { name: 'ollama.service', kind: 'service', namespace: '' },
            bytes: 42,
          },
          { gpuUuid: 'GPU-gone', workload: { name: 'x.service', kind: 'service', namespace: '' }, bytes: 1 },
        ],
      },
    });
    expect(
      sampleValue(f, 'tierwise_gpu_mig_instance_info', {
        ...lH100,
        mig_device: '0',
        mig_uuid: 'MIG-0',
        profile: '3g.40gb',
      }),
    ).toBe(1);
    // GPU-a is not in MIG mode now: an old listing of it is not shown.
    expect(f.find((s) => s.name === 'tierwise_gpu_mig_instance_info')?.samples).toHaveLength(1);
    const vram = f.find((s) => s.name === 'tierwise_gpu_process_memory_bytes')?.samples;
    expect(vram).toEqual([
      {
        labels: { gpu: '1', uuid: 'GPU-b', workload: 'ollama.service', kind: 'service', namespace: '' },
        value: 42,
      },
    ]);
    expect(sampleValue(f, 'tierwise_gpu_process_sample_age_seconds')).toBe(12);
  });
});
