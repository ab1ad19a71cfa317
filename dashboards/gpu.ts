import { buildDashboard } from './dashboard.ts';
import { gauge, table, timeseries } from './panels.ts';
import { contract } from './promql.ts';
import { instanceVariable, tierVariable } from './variables.ts';

const I = 'instance=~"$instance"';
const of = (name: `tierwise:${string}`) => `${contract(name)}{${I}}`;
const PER_GPU = '{{instance}} {{uuid}}';

function load() {
  return [
    timeseries({
      title: 'Utilisation',
      description: 'Share of time a kernel ran on each GPU (nvidia-smi, nvidia_gpu_exporter or DCGM).',
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [{ expr: of('tierwise:gpu_utilisation:ratio'), legend: PER_GPU }],
    }),
    timeseries({
      title: 'Encoder and decoder',
      description:
        'Share of time the video engines were busy: transcoding (Jellyfin, Plex) shows here, not above.',
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [
        { expr: `tierwise_gpu_encoder_utilization_ratio{${I}}`, legend: '{{instance}} {{gpu}} encoder' },
        { expr: `tierwise_gpu_decoder_utilization_ratio{${I}}`, legend: '{{instance}} {{gpu}} decoder' },
      ],
    }),
    gauge({
      title: 'VRAM used',
      description: 'Share of each GPU memory in use now.',
      unit: 'percentunit',
      min: 0,
      max: 1,
      width: 8,
      steps: [
        [0.85, 'orange'],
        [0.95, 'red'],
      ],
      queries: [{ expr: of('tierwise:gpu_memory_used:ratio'), legend: PER_GPU }],
    }),
    timeseries({
      title: 'VRAM',
      description: 'GPU memory in use, and each GPU total.',
      unit: 'bytes',
      width: 16,
      queries: [
        { expr: of('tierwise:gpu_memory_used_bytes'), legend: `${PER_GPU} used` },
        { expr: of('tierwise:gpu_memory_total_bytes'), legend: `${PER_GPU} total` },
      ],
    }),
  ];
}

function heatAndPower() {
  return [
    timeseries({
      title: 'Power',
      description: 'Board power of each GPU (5-minute average) against its power limit.',
      unit: 'watt',
      queries: [
        { expr: of('tierwise:gpu_power_watts'), legend: PER_GPU },
        { expr: `tierwise_gpu_power_limit_watts{${I}}`, legend: '{{instance}} {{uuid}} limit' },
      ],
    }),
    timeseries({
      title: 'Temperature',
      description: 'GPU die temperature.',
      unit: 'celsius',
      steps: [
        [80, 'orange'],
        [90, 'red'],
      ],
      queries: [{ expr: of('tierwise:gpu_temperature_celsius'), legend: PER_GPU }],
    }),
    timeseries({
      title: 'Clocks',
      description:
        'Graphics and memory clocks now, against their maxima: low clocks under load mean throttling.',
      unit: 'hertz',
      queries: [
        {
          expr: `tierwise_gpu_clock_hertz{${I}, clock=~"graphics|memory"}`,
          legend: '{{instance}} {{gpu}} {{clock}}',
        },
        {
          expr: `tierwise_gpu_clock_max_hertz{${I}, clock=~"graphics|memory"}`,
          legend: '{{instance}} {{gpu}} {{clock}} max',
        },
      ],
    }),
    table({
      title: 'Clock event reasons',
      description: 'Why each GPU holds its clocks down now (1), for every reason the GPU reports.',
      unit: 'short',
      value: 'active',
      hide: ['job', 'uuid'],
      queries: [{ expr: `tierwise_gpu_throttle_reason{${I}}` }],
    }),
  ];
}

function workloads() {
  return [
    timeseries({
      title: 'VRAM per workload',
      description:
        'GPU memory each workload holds (its processes, named by cgroup: service, container or pod).',
      unit: 'bytes',
      stack: true,
      queries: [{ expr: of('tierwise:workload_gpu_memory_bytes'), legend: '{{workload}} on {{instance}}' }],
    }),
    timeseries({
      title: 'GPU power per workload',
      description:
        'Each GPU power shared by the VRAM its workloads hold (nvidia-smi reports no per-process load).',
      unit: 'watt',
      stack: true,
      queries: [{ expr: of('tierwise:workload_gpu_power_watts'), legend: '{{workload}} on {{instance}}' }],
    }),
  ];
}

export const gpuDashboard = () =>
  buildDashboard({
    uid: 'tierwise-gpu',
    title: 'tierwise / GPU',
    description:
      'GPUs: utilisation, VRAM, power, temperature, clocks, and the VRAM and power of each workload.',
    range: '6h',
    variables: [tierVariable(), instanceVariable(true)],
    rows: [
      ['Load and memory', load()],
      ['Power, heat and clocks', heatAndPower()],
      ['Workloads', workloads()],
    ],
  });
