import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable } from './variables.ts';

/** The oldest Grafana the JSON is written for: every panel kind and option here exists in 10.0. */
export const MIN_GRAFANA_VERSION = '10.0.0';

/**
 * Grafana 10.4's dashboard schema: 11 and 12 migrate it forward on load. The SDK writes 12's (42), which
 * older versions would read as is, without the migrations they do not know.
 */
export const SCHEMA_VERSION = 39;

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Default time range, back from now: `24h`, `7d`. */
  range: string;
  variables?: cog.Builder<dash.VariableModel>[];
  /** Rows of panels, each row titled; panels flow left to right. */
  rows: [string, cog.Builder<dash.Panel>[]][];
}

/** Grafana's export convention: the data source as an input the import form asks for. */
export interface DashboardExport extends dash.Dashboard {
  __inputs: {
    name: string;
    label: string;
    description: string;
    type: string;
    pluginId: string;
    pluginName: string;
  }[];
  __requires: { type: string; id: string; name: string; version: string }[];
}

/**
 * Builds one dashboard through the SDK's typed builders, numbers its panels, and adds the import
 * metadata (`__inputs`, `__requires`) of a dashboard exported for sharing.
 */
export function buildDashboard(spec: DashboardSpec): DashboardExport {
  const builder = new dash.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['tierwise'])
    .editable()
    .tooltip(dash.DashboardCursorSync.Crosshair)
    .time({ from: `now-${spec.range}`, to: 'now' })
    .refresh('1m')
    .withVariable(datasourceVariable())
    // Grafana's own annotations and alert state changes, as every dashboard Grafana creates has.
    .annotation(
      new dash.AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .type('dashboard')
        .builtIn(1)
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)'),
    )
    .link(
      new dash.DashboardLinkBuilder('tierwise')
        .type(dash.DashboardLinkType.Dashboards)
        .tags(['tierwise'])
        .asDropdown(true)
        .keepTime(true)
        .includeVars(true),
    );
  for (const v of spec.variables ?? []) builder.withVariable(v);
  for (const [title, panels] of spec.rows) {
    builder.withRow(new dash.RowBuilder(title));
    for (const p of panels) builder.withPanel(p);
  }
  // Through JSON: the SDK leaves `undefined` markers on queries that a JSON file has no place for.
  const built = JSON.parse(JSON.stringify(builder.build())) as dash.Dashboard;
  built.schemaVersion = SCHEMA_VERSION;
  // Ids in layout order: Grafana keys panel state and links (viewPanel=…) by them.
  built.panels?.forEach((p, i) => {
    p.id = i + 1;
  });
  const types = [...new Set((built.panels ?? []).map((p) => p.type).filter((t) => t !== 'row'))].sort();
  return {
    __inputs: [
      {
        name: 'DS_PROMETHEUS',
        label: 'Prometheus',
        description: 'The Prometheus (or VictoriaMetrics) that scrapes tierwise and has its rules loaded.',
        type: 'datasource',
        pluginId: 'prometheus',
        pluginName: 'Prometheus',
      },
    ],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: MIN_GRAFANA_VERSION },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      ...types.map((t) => ({ type: 'panel', id: t, name: t, version: '' })),
    ],
    ...built,
    id: null,
  };
}
