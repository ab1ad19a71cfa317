import { buildDashboard } from './dashboard.ts';
import { bargauge, gauge, table, timeseries } from './panels.ts';
import { contract, HOURS_PER_WEEK } from './promql.ts';
import { instanceVariable, tierVariable, workloadVariable } from './variables.ts';

const W = 'instance=~"$instance", workload=~"$workload"';
const of = (name: `tierwise:${string}`) => `${contract(name)}{${W}}`;
const PER_WORKLOAD = '{{workload}} on {{instance}}';

const idleShare = (by: string) =>
  `sum by (${by}) (${contract('tierwise:workload_power_watts')}{instance=~"$instance", workload="idle"})
/ sum by (${by}) (${contract('tierwise:workload_power_watts')}{instance=~"$instance"})`;

function cost() {
  return [
    bargauge({
      title: 'Cost per week',
      description:
        "Each workload's energy cost over the collector's window (7 days by default), as a week at its average cost per hour.",
      unit: 'short',
      decimals: 2,
      queries: [
        {
          expr: `sum by (workload, instance, currency) (tierwise_cost_workload_per_hour{${W}}) * ${HOURS_PER_WEEK}`,
          legend: `${PER_WORKLOAD} ({{currency}})`,
        },
      ],
    }),
    bargauge({
      title: 'Cost per hour now',
      description: 'Power now at the price of a kWh now (tierwise:workload_cost_per_hour).',
      unit: 'short',
      decimals: 4,
      queries: [{ expr: of('tierwise:workload_cost_per_hour'), legend: `${PER_WORKLOAD} ({{currency}})` }],
    }),
    gauge({
      title: 'Idle share',
      description:
        "Share of the selected machines' power that no workload uses: the price of keeping them on. A high share on a quiet machine is a candidate for switching off.",
      unit: 'percentunit',
      min: 0,
      max: 1,
      width: 8,
      height: 8,
      steps: [
        [0.5, 'orange'],
        [0.8, 'red'],
      ],
      queries: [{ expr: idleShare('instance'), legend: '{{instance}}' }],
    }),
  ];
}

function trends() {
  return [
    timeseries({
      title: 'Power per workload',
      description:
        "Each workload's share of its machine's power (CPU share of power above idle plus its GPU share), idle as its own line; stacked, they add up to the machines.",
      unit: 'watt',
      stack: true,
      queries: [{ expr: of('tierwise:workload_power_watts'), legend: PER_WORKLOAD }],
    }),
    timeseries({
      title: 'Cost rate per workload',
      description:
        'What each workload costs per hour at the price of the moment: time-of-use bands show as steps.',
      unit: 'short',
      stack: true,
      queries: [{ expr: of('tierwise:workload_cost_per_hour'), legend: `${PER_WORKLOAD} ({{currency}})` }],
    }),
    timeseries({
      title: 'Idle share over time',
      description: "Share of all the selected machines' power that is idle, over time.",
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [{ expr: idleShare(''), legend: 'idle' }],
    }),
    timeseries({
      title: 'CPU per workload',
      description: 'Cores each workload used (5-minute rate).',
      unit: 'short',
      stack: true,
      queries: [{ expr: of('tierwise:workload_cpu_cores:rate5m'), legend: PER_WORKLOAD }],
    }),
    timeseries({
      title: 'Memory per workload',
      description: 'Working set of each workload: memory it cannot do without.',
      unit: 'bytes',
      stack: true,
      queries: [{ expr: of('tierwise:workload_memory_working_set_bytes'), legend: PER_WORKLOAD }],
    }),
    table({
      title: 'Workload facts',
      description:
        "What the agent knows of each workload: how it was found, its image's platforms, and the placement hints (GPU, pin, always on, latency-sensitive).",
      unit: 'short',
      value: 'seen',
      hide: ['job'],
      queries: [{ expr: `tierwise_workload_info{${W}}` }],
    }),
  ];
}

export const workloadsDashboard = () =>
  buildDashboard({
    uid: 'tierwise-workloads',
    title: 'tierwise / Workloads and cost',
    description: 'What each workload costs and draws, how much of the power is idle, and their trends.',
    range: '24h',
    variables: [tierVariable(), instanceVariable(true), workloadVariable()],
    rows: [
      ['Cost', cost()],
      ['Trends', trends()],
    ],
  });
