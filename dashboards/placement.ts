import { WEEKS_PER_MONTH } from '../cost/model.ts';
import { buildDashboard } from './dashboard.ts';
import { bargauge, flag, gauge, stat, table, timeseries } from './panels.ts';
import { HOURS_PER_WEEK } from './promql.ts';

const SAVING = 'sum by (currency) (tierwise_placement_saving_per_week)';

function plan() {
  return [
    stat({
      title: 'Saving per week',
      description: "Weekly cost now less the planned placement's: what following every recommendation saves.",
      unit: 'short',
      decimals: 2,
      queries: [{ expr: SAVING, legend: '{{currency}}' }],
    }),
    stat({
      title: 'Saving per month',
      description: 'The weekly saving over an average month (30.4 days).',
      unit: 'short',
      decimals: 2,
      queries: [{ expr: `${SAVING} * ${WEEKS_PER_MONTH}`, legend: '{{currency}}' }],
    }),
    stat({
      title: 'Confidence',
      description:
        'Whether the latest answer rests on enough data; a low-confidence plan is an estimate, not a recommendation.',
      unit: 'short',
      mappings: flag(['low', 'orange'], ['ok', 'green']),
      queries: [{ expr: 'max(tierwise_advisor_confidence)' }],
    }),
    gauge({
      title: 'Data coverage',
      description: 'Share of the window the collector had power data for.',
      unit: 'percentunit',
      min: 0,
      max: 1,
      width: 4,
      height: 4,
      steps: [
        [0, 'red'],
        [0.5, 'orange'],
        [0.9, 'green'],
      ],
      queries: [{ expr: 'max(tierwise_advisor_coverage_ratio)' }],
    }),
    stat({
      title: 'Plan age',
      description:
        'Time since the collector last priced the lab successfully: the figures here are from then.',
      unit: 's',
      steps: [
        [7200, 'orange'],
        [86400, 'red'],
      ],
      queries: [{ expr: 'time() - max(tierwise_advisor_last_run_success_timestamp_seconds)' }],
    }),
  ];
}

function moves() {
  return [
    table({
      title: 'Recommended moves',
      description:
        'Each workload the plan moves, from where to where, with its projected monthly saving (including its share of the machines it helps switch off: do not add the power-off savings to these). `tierwise advise` explains each move.',
      unit: 'short',
      decimals: 2,
      value: 'saving per month',
      hide: ['job', 'instance'],
      queries: [{ expr: 'tierwise_placement_move_saving_per_month' }],
    }),
    table({
      title: 'Machines that could be off',
      description: 'Machines the plan leaves without work, with the monthly saving of switching each off.',
      unit: 'short',
      decimals: 2,
      value: 'saving per month',
      hide: ['job'],
      queries: [{ expr: 'tierwise_placement_power_off_saving_per_month' }],
    }),
    bargauge({
      title: 'Cost per machine per week',
      description:
        "Each machine's energy cost over the collector's window, as a week at its average cost per hour.",
      unit: 'short',
      decimals: 2,
      queries: [
        {
          expr: `sum by (instance, currency) (tierwise_cost_node_per_hour) * ${HOURS_PER_WEEK}`,
          legend: '{{instance}} ({{currency}})',
        },
      ],
    }),
    timeseries({
      title: 'Saving per week over time',
      description: 'How the weekly saving of the plan changed run after run.',
      unit: 'short',
      width: 16,
      queries: [{ expr: SAVING, legend: '{{currency}}' }],
    }),
  ];
}

export const placementDashboard = () =>
  buildDashboard({
    uid: 'tierwise-placement',
    title: 'tierwise / Placement',
    description:
      "The collector's plan: recommended moves, what they save, and the machines that could be switched off.",
    range: '7d',
    rows: [
      ['Plan', plan()],
      ['Moves and machines', moves()],
    ],
  });
