import { hostSources as h, sources as s } from '../rules/sources.ts';
import { buildDashboard } from './dashboard.ts';
import { flag, gauge, stat, table, timeseries } from './panels.ts';
import { contract } from './promql.ts';
import { instanceVariable, tierVariable } from './variables.ts';

const I = 'instance="$instance"';
/** A contract series of the selected machine. */
const of = (name: `tierwise:${string}`) => `${contract(name)}{${I}}`;
const rate = (series: string, matchers?: string) =>
  `rate(${series}{${[I, matchers].filter(Boolean).join(', ')}}[$__rate_interval])`;

function summary() {
  return [
    gauge({
      title: 'CPU busy',
      description:
        'Share of the CPU doing work over the last 5 minutes (not idle, waiting on I/O or stolen).',
      unit: 'percentunit',
      min: 0,
      max: 1,
      width: 4,
      height: 5,
      steps: [
        [0.8, 'orange'],
        [0.95, 'red'],
      ],
      queries: [{ expr: of('tierwise:node_cpu_busy:ratio5m') }],
    }),
    gauge({
      title: 'Memory used',
      description: 'Share of memory in use: total less what the kernel says is available.',
      unit: 'percentunit',
      min: 0,
      max: 1,
      width: 4,
      height: 5,
      steps: [
        [0.85, 'orange'],
        [0.95, 'red'],
      ],
      queries: [{ expr: of('tierwise:node_memory_used:ratio') }],
    }),
    stat({
      title: 'Power now',
      description: "The machine's power at its best source, which the legend names.",
      unit: 'watt',
      width: 4,
      height: 5,
      queries: [{ expr: of('tierwise:node_power_watts'), legend: '{{source}}' }],
    }),
    stat({
      title: 'Idle floor',
      description: 'What the machine draws doing nothing: its quietest 5 % of the last day.',
      unit: 'watt',
      width: 4,
      height: 5,
      queries: [{ expr: of('tierwise:node_idle_watts') }],
    }),
    stat({
      title: 'CPU temperature',
      description: 'The hottest CPU sensor (hwmon chip or CPU thermal zone).',
      unit: 'celsius',
      width: 4,
      height: 5,
      steps: [
        [80, 'orange'],
        [90, 'red'],
      ],
      queries: [{ expr: of('tierwise:node_cpu_temperature_celsius') }],
    }),
    stat({
      title: 'Uptime',
      description: 'Time since the machine booted.',
      unit: 's',
      width: 4,
      height: 5,
      queries: [{ expr: `time() - ${h.bootTime}{${I}}` }],
    }),
  ];
}

function cpuAndMemory() {
  return [
    timeseries({
      title: 'CPU',
      description: 'Cores busy per mode, stacked, against the cores the machine has.',
      unit: 'short',
      stack: true,
      queries: [
        {
          expr: `sum by (mode) (${rate(s.cpuSeconds, `mode!~"${s.cpuNotBusyModes}"`)})`,
          legend: '{{mode}}',
        },
      ],
    }),
    timeseries({
      title: 'Load average',
      description: 'Runnable and uninterruptible tasks, averaged over 1, 5 and 15 minutes.',
      unit: 'short',
      queries: h.load.map((m) => ({ expr: `${m}{${I}}`, legend: m.replace('node_', '') })),
    }),
    timeseries({
      title: 'Memory',
      description: 'Memory in use and the total.',
      unit: 'bytes',
      queries: [
        { expr: of('tierwise:node_memory_used_bytes'), legend: 'used' },
        { expr: `${s.memTotal}{${I}}`, legend: 'total' },
      ],
    }),
  ];
}

function diskAndNetwork() {
  return [
    gauge({
      title: 'Filesystems used',
      description: 'Share of each real filesystem in use (memory-backed and pseudo filesystems left out).',
      unit: 'percentunit',
      min: 0,
      max: 1,
      steps: [
        [0.8, 'orange'],
        [0.9, 'red'],
      ],
      queries: [
        {
          expr: `1 - ${h.filesystemAvail}{${I}, ${h.realFilesystems}} / ${h.filesystemSize}{${I}, ${h.realFilesystems}}`,
          legend: '{{mountpoint}}',
        },
      ],
    }),
    timeseries({
      title: 'Disk I/O',
      description: 'Bytes read (up) and written (down) per second, per disk.',
      unit: 'Bps',
      width: 9,
      queries: [
        { expr: rate(h.diskReadBytes), legend: '{{device}} read' },
        { expr: `-${rate(h.diskWrittenBytes)}`, legend: '{{device}} written' },
      ],
    }),
    timeseries({
      title: 'Network',
      description: 'Bytes received (up) and sent (down) per second, per physical interface.',
      unit: 'Bps',
      width: 9,
      queries: [
        { expr: rate(h.networkReceiveBytes, h.physicalNetDevices), legend: '{{device}} in' },
        { expr: `-${rate(h.networkTransmitBytes, h.physicalNetDevices)}`, legend: '{{device}} out' },
      ],
    }),
  ];
}

function heatAndPower() {
  return [
    timeseries({
      title: 'Temperatures',
      description: 'The hottest CPU sensor, every hwmon sensor, and each GPU die.',
      unit: 'celsius',
      steps: [
        [80, 'orange'],
        [90, 'red'],
      ],
      queries: [
        { expr: of('tierwise:node_cpu_temperature_celsius'), legend: 'CPU' },
        { expr: `${h.hwmonTemperature}{${I}}`, legend: '{{chip}} {{sensor}}' },
        { expr: of('tierwise:gpu_temperature_celsius'), legend: 'GPU {{uuid}}' },
      ],
    }),
    timeseries({
      title: 'Throttling',
      description:
        "What holds the machine back now: a Raspberry Pi's under-voltage and thermal flags, each GPU's clock event reasons, and CPU time the cgroup limits took from workloads.",
      unit: 'short',
      min: 0,
      queries: [
        { expr: `max by (flag) (tierwise_rpi_throttle_flag{${I}, period="now"})`, legend: 'Pi {{flag}}' },
        { expr: `max by (reason) (tierwise_gpu_throttle_reason{${I}})`, legend: 'GPU {{reason}}' },
        {
          expr: `sum by (workload) (rate(tierwise_workload_cpu_throttled_seconds_total{${I}}[$__rate_interval]))`,
          legend: '{{workload}} throttled (cores)',
        },
      ],
    }),
    timeseries({
      title: 'Power by source',
      description:
        'Every power source measured or modelled for the machine (plug, RAPL, hwmon, PMIC, GPU, model), and the figure tierwise uses for it.',
      unit: 'watt',
      width: 24,
      queries: [
        { expr: of('tierwise:node_source_power_watts'), legend: '{{source}}' },
        { expr: of('tierwise:node_power_watts'), legend: 'used: {{source}}' },
        { expr: of('tierwise:node_idle_watts'), legend: 'idle floor' },
      ],
    }),
  ];
}

function inventory() {
  const figure = (title: string, description: string, unit: string, expr: string) =>
    stat({ title, description, unit, width: 3, height: 4, queries: [{ expr }] });
  return [
    table({
      title: 'Inventory',
      description:
        'What the agent or the SSH probe found: tier, capability class, architecture, model, OS and kernel.',
      unit: 'short',
      value: 'seen',
      width: 12,
      height: 4,
      hide: ['job', 'instance'],
      mappings: flag(['no', 'red'], ['yes', 'green']),
      queries: [{ expr: `${s.nodeInfo}{${I}}` }],
    }),
    figure('CPU cores', 'Logical CPUs.', 'short', `tierwise_node_cpu_cores{${I}}`),
    figure('Installed memory', 'Memory the kernel sees.', 'bytes', `tierwise_node_memory_bytes{${I}}`),
    figure('Disk size', 'Size of the local filesystems.', 'bytes', `tierwise_node_disk_bytes{${I}}`),
    figure(
      'CPU speed score',
      "The inventory's measured single-core speed (a Raspberry Pi 4 is about 35): the cost model normalises usage by it.",
      'short',
      `tierwise_node_cpu_speed_score{${I}}`,
    ),
  ];
}

export const machineDashboard = () =>
  buildDashboard({
    uid: 'tierwise-machine',
    title: 'tierwise / Machine',
    description:
      'One machine: CPU, memory, disks, network, temperatures, throttling, power by source, inventory.',
    range: '6h',
    variables: [tierVariable(), instanceVariable(false)],
    rows: [
      ['Now', summary()],
      ['CPU and memory', cpuAndMemory()],
      ['Disks and network', diskAndNetwork()],
      ['Temperature, throttling and power', heatAndPower()],
      ['Inventory', inventory()],
    ],
  });
