import * as bargaugePanel from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import * as gaugePanel from '@grafana/grafana-foundation-sdk/gauge';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as statPanel from '@grafana/grafana-foundation-sdk/stat';
import * as tablePanel from '@grafana/grafana-foundation-sdk/table';
import * as timeseriesPanel from '@grafana/grafana-foundation-sdk/timeseries';

/** Every query goes to the data source the dashboard's `datasource` variable names. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export interface Query {
  expr: string;
  /** Grafana's legend template, e.g. `{{instance}}`. */
  legend?: string;
}

/** [value, colour] steps above the base (green): `[[0.8, 'orange'], [0.95, 'red']]`. */
export type Steps = [number, string][];

export interface PanelOptions {
  title: string;
  /** What the panel shows and where the figure comes from: Grafana shows it on hover. */
  description: string;
  /** A Grafana unit id (watt, bytes, percentunit, celsius, s, hertz, kwatth, short…). */
  unit: string;
  queries: Query[];
  /** Grid columns out of 24. */
  width?: number;
  height?: number;
  steps?: Steps;
  decimals?: number;
  min?: number;
  max?: number;
  mappings?: dash.ValueMapping[];
}

/** What every panel builder of the SDK has in common, so one function sets it for all kinds. */
interface AnyPanelBuilder {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: common.DataSourceRef): this;
  unit(unit: string): this;
  span(w: number): this;
  height(h: number): this;
  decimals(decimals: number): this;
  min(min: number): this;
  max(max: number): this;
  mappings(mappings: dash.ValueMapping[]): this;
  thresholds(thresholds: dash.ThresholdsConfigBuilder): this;
  targets(targets: prometheus.DataqueryBuilder[]): this;
}

const REF_IDS = 'ABCDEFGHIJ';

function targets(queries: Query[], mode: 'range' | 'instant' | 'table'): prometheus.DataqueryBuilder[] {
  return queries.map((q, i) => {
    const t = new prometheus.DataqueryBuilder()
      .refId(REF_IDS[i] ?? String(i))
      .datasource(DATASOURCE)
      .editorMode(prometheus.QueryEditorMode.Code)
      .expr(q.expr);
    if (q.legend) t.legendFormat(q.legend);
    if (mode === 'range') return t.range();
    if (mode === 'table') t.format(prometheus.PromQueryFormat.Table);
    return t.instant();
  });
}

function configure<B extends AnyPanelBuilder>(
  builder: B,
  o: PanelOptions,
  mode: 'range' | 'instant' | 'table',
  defaults: { width: number; height: number },
): B {
  builder
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.width ?? defaults.width)
    .height(o.height ?? defaults.height)
    .thresholds(
      new dash.ThresholdsConfigBuilder()
        .mode(dash.ThresholdsMode.Absolute)
        .steps([
          { value: null, color: 'green' },
          ...(o.steps ?? []).map(([value, color]) => ({ value, color })),
        ]),
    )
    .targets(targets(o.queries, mode));
  if (o.decimals !== undefined) builder.decimals(o.decimals);
  if (o.min !== undefined) builder.min(o.min);
  if (o.max !== undefined) builder.max(o.max);
  if (o.mappings) builder.mappings(o.mappings);
  return builder;
}

const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

/** A figure over the dashboard's time range. `stack` piles the series up (parts of a whole). */
export function timeseries(o: PanelOptions & { stack?: boolean }) {
  const b = configure(new timeseriesPanel.PanelBuilder(), o, 'range', { width: 12, height: 8 })
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['mean', 'lastNotNull']),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .fillOpacity(o.stack ? 40 : 10)
    .showPoints(common.VisibilityMode.Never);
  if (o.stack) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return b;
}

/** One figure now (the latest sample), with the series' name where there are several. */
export function stat(o: PanelOptions) {
  return configure(new statPanel.PanelBuilder(), o, 'instant', { width: 4, height: 4 })
    .reduceOptions(lastValue())
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Value)
    .textMode(
      o.queries.some((q) => q.legend) ? common.BigValueTextMode.ValueAndName : common.BigValueTextMode.Value,
    );
}

/** Figures now, one bar each, largest first: comparisons between machines, tiers or workloads. */
export function bargauge(o: PanelOptions) {
  return configure(new bargaugePanel.PanelBuilder(), o, 'instant', { width: 8, height: 8 })
    .reduceOptions(lastValue())
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .valueMode(common.BarGaugeValueMode.Color)
    .showUnfilled(true);
}

/** A share now, against its thresholds. */
export function gauge(o: PanelOptions) {
  return configure(new gaugePanel.PanelBuilder(), o, 'instant', { width: 6, height: 6 })
    .reduceOptions(lastValue())
    .showThresholdMarkers(true);
}

/**
 * Series now as rows, their labels as columns; `value` names the value column, and `hide` lists the
 * labels not worth a column.
 */
export function table(o: PanelOptions & { value: string; hide?: string[] }) {
  const excludeByName = Object.fromEntries(['Time', '__name__', ...(o.hide ?? [])].map((k) => [k, true]));
  return configure(new tablePanel.PanelBuilder(), o, 'table', { width: 12, height: 8 })
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName, renameByName: { Value: o.value } } })
    .sortBy([new common.TableSortByFieldStateBuilder().displayName(o.value).desc(true)])
    .cellHeight(common.TableCellHeight.Sm);
}

/** Value mappings from a 0/1 series to words and colours. */
export function flag(zero: [string, string], one: [string, string]): dash.ValueMapping[] {
  return [
    {
      type: dash.MappingType.ValueToText,
      options: {
        '0': { text: zero[0], color: zero[1], index: 0 },
        '1': { text: one[0], color: one[1], index: 1 },
      },
    },
  ];
}
