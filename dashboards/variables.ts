import * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE } from './panels.ts';
import { contract } from './promql.ts';

/**
 * The uid of the Prometheus data source deploy/grafana/provisioning/datasources/prometheus.yml
 * provisions: the variable's default, so provisioned dashboards need no choice.
 */
export const PROVISIONED_DATASOURCE_UID = 'prometheus';

export function datasourceVariable() {
  return new dash.DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: PROVISIONED_DATASOURCE_UID });
}

const ALL: dash.VariableOption = { selected: true, text: 'All', value: '$__all' };

/** A variable listing the values of `label` in `series`, refreshed with the time range. */
function labelVariable(name: string, label: string, series: string, multi: boolean) {
  const query = `label_values(${series}, ${label})`;
  const v = new dash.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dash.VariableRefresh.OnTimeRangeChanged)
    .sort(dash.VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(multi);
  // `.*` rather than Grafana's list of every value: shorter queries, and machines seen later still match.
  return multi ? v.allValue('.*').current(ALL) : v;
}

/** The owner's tiers (tierwise.yml or the inventory's guess), several at once. */
export const tierVariable = () => labelVariable('tier', 'tier', contract('tierwise:node_tier_info'), true);

/** The machines of the selected tiers; `multi` for dashboards that compare machines. */
export const instanceVariable = (multi: boolean) =>
  labelVariable('instance', 'instance', `${contract('tierwise:node_tier_info')}{tier=~"$tier"}`, multi);

/** The workloads on the selected machines, idle included. */
export const workloadVariable = () =>
  labelVariable(
    'workload',
    'workload',
    `${contract('tierwise:workload_power_watts')}{instance=~"$instance"}`,
    true,
  );
