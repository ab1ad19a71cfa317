import { WEEKS_PER_MONTH } from '../cost/model.ts';
import { buildDashboard } from './dashboard.ts';
import { bargauge, flag, stat, table, timeseries } from './panels.ts';
import { contract, HOURS_PER_WEEK, inTier, MACHINE_POWER, MACHINE_UP, TIER_OF, withTier } from './promql.ts';
import { tierVariable } from './variables.ts';

/** The collector's machine costs (averages per hour of data over its window) for the selected tiers. */
const collectorWeek = `sum by (currency) (${inTier('tierwise_cost_node_per_hour')}) * ${HOURS_PER_WEEK}`;

const machineCount = (state: 0 | 1) => `count(${inTier(`${MACHINE_UP} == ${state}`)}) or vector(0)`;

function now() {
  return [
    stat({
      title: 'Power now',
      description:
        'What the selected tiers draw now: each machine at its best source (plug > measured parts > model).',
      unit: 'watt',
      queries: [{ expr: `sum(${inTier(MACHINE_POWER)})` }],
    }),
    stat({
      title: 'Cost per hour now',
      description:
        'Power now at the price of a kWh now (tierwise:node_cost_per_hour), in the tariff currency.',
      unit: 'short',
      decimals: 3,
      queries: [
        {
          expr: `sum by (currency) (${inTier(contract('tierwise:node_cost_per_hour'))})`,
          legend: '{{currency}}',
        },
      ],
    }),
    stat({
      title: 'Cost over the last 7 days',
      description:
        "The collector's cost of the selected machines over its window (7 days by default): each machine's average cost per hour of data, time-of-use bands included, for a whole week.",
      unit: 'short',
      decimals: 2,
      queries: [{ expr: collectorWeek, legend: '{{currency}}' }],
    }),
    stat({
      title: 'Projected month',
      description: 'The last 7 days, carried over an average month (30.4 days).',
      unit: 'short',
      decimals: 2,
      queries: [{ expr: `${collectorWeek} * ${WEEKS_PER_MONTH}`, legend: '{{currency}}' }],
    }),
    stat({
      title: 'Machines up',
      description: 'Machines of the selected tiers whose every scrape and SSH probe answers.',
      unit: 'short',
      queries: [{ expr: machineCount(1) }],
    }),
    stat({
      title: 'Machines down',
      description:
        'Machines of the selected tiers (seen in the last day) that a scrape or an SSH probe cannot reach now: switched off, asleep or broken.',
      unit: 'short',
      steps: [[1, 'red']],
      queries: [{ expr: machineCount(0) }],
    }),
  ];
}

function tiers() {
  return [
    bargauge({
      title: 'Power now per tier',
      description: 'Watts each tier draws now.',
      unit: 'watt',
      queries: [{ expr: `sum by (tier) (${withTier(MACHINE_POWER)})`, legend: '{{tier}}' }],
    }),
    bargauge({
      title: 'Energy over the last 7 days per tier',
      description:
        "kWh each tier used over the last 7 days: each machine's average draw over the hours with data, for the whole week.",
      unit: 'kwatth',
      decimals: 1,
      queries: [
        {
          expr: `sum by (tier) (${withTier(`max by (instance) (avg_over_time(${contract('tierwise:node_power_watts')}[7d]))`)}) * ${HOURS_PER_WEEK / 1000}`,
          legend: '{{tier}}',
        },
      ],
    }),
    bargauge({
      title: 'Top workloads by cost',
      description:
        "The ten workloads that cost most over the collector's window, as a week at their average cost per hour (idle power is its own line).",
      unit: 'short',
      decimals: 2,
      queries: [
        {
          expr: `topk(10, sum by (workload, instance, currency) (${inTier('tierwise_cost_workload_per_hour')})) * ${HOURS_PER_WEEK}`,
          legend: '{{workload}} on {{instance}} ({{currency}})',
        },
      ],
    }),
    timeseries({
      title: 'Power per tier',
      description: 'Watts per tier over time, stacked: the top line is the whole lab.',
      unit: 'watt',
      stack: true,
      width: 24,
      queries: [{ expr: `sum by (tier) (${withTier(MACHINE_POWER)})`, legend: '{{tier}}' }],
    }),
  ];
}

function machinesAndAlerts() {
  return [
    table({
      title: 'Machines',
      description: 'Every machine of the selected tiers, up or down, with its tier and capability class.',
      unit: 'short',
      value: 'state',
      mappings: flag(['down', 'red'], ['up', 'green']),
      queries: [{ expr: `${MACHINE_UP}\n* on (instance) group_left (tier, class) ${TIER_OF}` }],
    }),
    table({
      title: 'Active alerts',
      description:
        'Alerts firing now, and pending ones (their condition holds, their `for` has not run out yet).',
      unit: 'short',
      value: 'active',
      hide: ['job'],
      queries: [{ expr: 'max by (alertname, alertstate, severity, instance, tier) (ALERTS)' }],
    }),
  ];
}

export const overviewDashboard = () =>
  buildDashboard({
    uid: 'tierwise-overview',
    title: 'tierwise / Homelab overview',
    description: 'Power and cost per tier, machines up or down, the costliest workloads and the alerts.',
    range: '24h',
    variables: [tierVariable()],
    rows: [
      ['Now and this week', now()],
      ['Tiers and workloads', tiers()],
      ['Machines and alerts', machinesAndAlerts()],
    ],
  });
