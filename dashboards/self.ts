import * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './dashboard.ts';
import { flag, stat, table, timeseries } from './panels.ts';
import { contract, HOURS_PER_WEEK } from './promql.ts';

/**
 * The workloads of the monitoring itself, by name, whether systemd units (`tierwise-agent.service`),
 * compose services (`tierwise/prometheus`) or pods (`monitoring/StatefulSet/prometheus-k8s`).
 */
export const STACK_WORKLOADS = '(.*/)?(tierwise|prometheus|alertmanager|grafana|victoria-?metrics)([-.@].*)?';

function stackVariable() {
  return new dash.TextBoxVariableBuilder('stack')
    .label('stack workloads')
    .description('A regular expression matching the workloads of the monitoring stack.')
    .defaultValue(STACK_WORKLOADS)
    .current({ selected: true, text: STACK_WORKLOADS, value: STACK_WORKLOADS });
}

const STACK = 'workload=~"$stack"';

function health() {
  return [
    table({
      title: 'Scrape targets',
      description: 'Every target Prometheus scrapes, up or down.',
      unit: 'short',
      value: 'state',
      mappings: flag(['down', 'red'], ['up', 'green']),
      queries: [{ expr: 'up' }],
    }),
    table({
      title: 'Agent collectors',
      description:
        'Each collector of each agent: 1 when it worked on the last scrape. A 0 with a `no data:` reason is hardware that machine lacks (no RAPL, not a Pi), not a fault.',
      unit: 'short',
      value: 'up',
      hide: ['job'],
      mappings: flag(['down', 'orange'], ['up', 'green']),
      queries: [{ expr: 'tierwise_collector_up' }],
    }),
    table({
      title: 'SSH probes',
      description:
        'Whether `tierwise probe` read each agentless machine on the last scrape, and how long it took.',
      unit: 'short',
      value: 'read',
      hide: ['job'],
      mappings: flag(['failed', 'red'], ['ok', 'green']),
      queries: [{ expr: 'tierwise_probe_success' }],
    }),
    stat({
      title: 'Collector last run',
      description: 'Whether the last run of `tierwise collector` read Prometheus and priced the lab.',
      unit: 'short',
      width: 6,
      height: 4,
      mappings: flag(['failed', 'red'], ['ok', 'green']),
      queries: [{ expr: 'max(tierwise_advisor_last_run_success)' }],
    }),
    stat({
      title: 'Collector run duration',
      description: 'How long the last collector run took (reading a week of history and planning).',
      unit: 's',
      width: 6,
      height: 4,
      steps: [
        [30, 'orange'],
        [120, 'red'],
      ],
      queries: [{ expr: 'max(tierwise_advisor_last_run_duration_seconds)' }],
    }),
  ];
}

function durations() {
  return [
    timeseries({
      title: 'Agent scrape duration (p95)',
      description: '95th percentile of the time each agent took to answer a scrape.',
      unit: 's',
      queries: [
        {
          expr: 'histogram_quantile(0.95, sum by (instance, le) (rate(tierwise_agent_scrape_duration_seconds_bucket[$__rate_interval])))',
          legend: '{{instance}}',
        },
      ],
    }),
    timeseries({
      title: 'Slowest collectors',
      description: 'The five collectors that took longest on each scrape.',
      unit: 's',
      queries: [
        {
          expr: 'topk(5, max by (instance, collector) (tierwise_collector_duration_seconds))',
          legend: '{{instance}} {{collector}}',
        },
      ],
    }),
    timeseries({
      title: 'Probe duration',
      description: 'How long each SSH probe took, connection included.',
      unit: 's',
      queries: [{ expr: 'tierwise_probe_duration_seconds', legend: '{{instance}}' }],
    }),
    timeseries({
      title: 'Sample age',
      description: 'How old the GPU and plug readings were when scraped: a growing age means a stuck reader.',
      unit: 's',
      queries: [
        { expr: 'tierwise_gpu_sample_age_seconds', legend: '{{instance}} GPU' },
        { expr: 'tierwise_plug_sample_age_seconds', legend: '{{instance}} plug {{plug}}' },
      ],
    }),
  ];
}

function ownCost() {
  return [
    stat({
      title: 'Monitoring power',
      description:
        "Watts the monitoring stack itself draws: its workloads' share of their machines (the `stack` variable names them).",
      unit: 'watt',
      width: 6,
      queries: [{ expr: `sum(${contract('tierwise:workload_power_watts')}{${STACK}})` }],
    }),
    stat({
      title: 'Monitoring cost per week',
      description: 'The monitoring stack at the price of a kWh now, for a week.',
      unit: 'short',
      decimals: 2,
      width: 6,
      queries: [
        {
          expr: `sum by (currency) (${contract('tierwise:workload_cost_per_hour')}{${STACK}}) * ${HOURS_PER_WEEK}`,
          legend: '{{currency}}',
        },
      ],
    }),
    timeseries({
      title: 'Monitoring workloads',
      description: 'Power of each workload of the monitoring stack.',
      unit: 'watt',
      width: 12,
      queries: [
        {
          expr: `${contract('tierwise:workload_power_watts')}{${STACK}}`,
          legend: '{{workload}} on {{instance}}',
        },
      ],
    }),
  ];
}

export const selfDashboard = () =>
  buildDashboard({
    uid: 'tierwise-self',
    title: 'tierwise / Self-monitoring',
    description:
      'Whether tierwise itself works (targets, collectors, probes, the collector) and what the monitoring costs.',
    range: '6h',
    variables: [stackVariable()],
    rows: [
      ['Health', health()],
      ['Durations', durations()],
      ['What the monitoring costs', ownCost()],
    ],
  });
