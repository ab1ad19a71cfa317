import type { Advice } from '../advisor/advice.ts';
import type { PeriodicState } from '../advisor/periodic.ts';
import { escapeHtml as e } from '../report/escape.ts';
import { kwh, localTime, money, percent } from '../report/format.ts';
import { cards, list, n, page, t, table } from '../report/html.ts';
import { reportPlan } from '../report/model.ts';
import { planSection, powerSection } from '../report/render-html.ts';
import type { LiveView } from './live.ts';
import type { ArchivedReport } from './reports-archive.ts';

/** The page reloads itself this often: it is left open on a wall screen. */
const RELOAD_SECONDS = 300;

const NAV = `<nav><a href="/">This week</a><a href="/reports">Weekly reports</a><a href="/api/costs">costs (JSON)</a><a href="/api/placement">placement (JSON)</a><a href="/metrics">metrics</a></nav>`;

const watts = (w: number | null) => (w === null ? 'no data' : `${w.toFixed(0)} W`);

/** Why a part of the page has nothing to show yet: the last run's error, else `waiting` (a sentence start). */
function pending<T>(state: PeriodicState<T>, what: string): string {
  const error = state.lastRun?.success === false ? state.lastRun.error : undefined;
  return error
    ? `<p class="low">Not available yet: ${e(error)}</p>`
    : `<p class="muted">${e(what)} still being computed.</p>`;
}

/** A failed refresh leaves the previous figures up; say how old they are. */
function staleNote<T>(state: PeriodicState<T>, zone: string): string[] {
  if (state.lastRun?.success !== false || state.lastSuccessAt === undefined) return [];
  return [
    `<p class="note">Showing figures from ${e(localTime(state.lastSuccessAt, zone))}: the latest refresh failed (${e(state.lastRun.error ?? 'unknown error')}).</p>`,
  ];
}

function liveSection(v: LiveView, state: PeriodicState<LiveView>): string[] {
  const c = v.currency;
  const zone = v.week.timezone;
  return [
    `<p class="muted">${e(v.week.label)} from ${e(localTime(v.week.start, zone))} to ${e(localTime(v.until, zone))} ${e(zone)} (${v.elapsedHours.toFixed(1)} of ${v.week.hours} h)</p>`,
    ...staleNote(state, zone),
    ...(v.coverage < 0.8
      ? [
          `<p class="low">Power data covers ${e(percent(v.coverage))} of the week so far: the figures are estimates.</p>`,
        ]
      : []),
    cards([
      ['Power now', watts(v.wattsNow)],
      [
        'Energy cost now',
        v.energyCostPerHourNow === null ? 'no data' : `${money(v.energyCostPerHourNow, c)}/h`,
      ],
      ['Cost this week so far', money(v.soFar.totalCost, c)],
      ['At this pace, the week', money(v.projectedWeekCost, c)],
    ]),
    `<p class="muted">Energy so far ${e(kwh(v.soFar.energyKwh))} (${e(money(v.soFar.energyCost, c))}); a kWh costs ${e(money(v.pricePerKwh, c))} now. Totals include the standing charge and amortisation.</p>`,
    table(
      [t('tier'), n('power now'), n('energy so far'), n('cost so far')],
      v.tiers.map((x) => [x.tier, watts(x.wattsNow), kwh(x.energyKwh), money(x.totalCost, c)]),
    ),
    ...powerSection({ power: v.power, week: { ...v.week, label: `${v.week.label} so far` } }),
    ...(v.warnings.length > 0 ? ['<h3>Notes on the data</h3>', list(v.warnings)] : []),
  ];
}

function adviceSection(state: PeriodicState<Advice>, zone: string): string[] {
  const a = state.value;
  if (!a) return ['<h2>Recommended moves</h2>', pending(state, 'The first placement plan is')];
  return [
    ...planSection(reportPlan(a.placement), a.costs.currency, a.confidence === 'low'),
    `<p class="muted">Planned on ${e(a.source.kind === 'prometheus' ? `the last ${a.source.window}` : a.source.file)}, computed ${e(localTime(Date.parse(a.computed_at) / 1000, zone))}.</p>`,
    ...staleNote(state, zone),
  ];
}

/** `/`: this week so far, what the lab draws and costs now, and the collector's current plan. */
export function renderLivePage(
  live: PeriodicState<LiveView>,
  advice: PeriodicState<Advice>,
  timezone: string,
): string {
  const v = live.value;
  const body = [
    NAV,
    '<h1>This week so far</h1>',
    ...(v ? liveSection(v, live) : [pending(live, 'The first figures for this week are')]),
    ...adviceSection(advice, timezone),
    `<p class="muted">This page reloads every ${RELOAD_SECONDS / 60} minutes.</p>`,
  ];
  return page('tierwise: this week so far', body, [
    `<meta http-equiv="refresh" content="${RELOAD_SECONDS}">`,
  ]);
}

/** `/reports`: every stored weekly report, newest first, each in its three forms. */
export function renderReportsIndex(reports: ArchivedReport[], dir: string): string {
  const links = (r: ArchivedReport) => ({
    html: r.formats
      .map(
        (f) =>
          `<a href="/reports/${encodeURIComponent(`${r.week}.${f}`)}">${{ html: 'HTML', md: 'Markdown', json: 'JSON' }[f]}</a>`,
      )
      .join(' · '),
  });
  const body = [
    NAV,
    '<h1>Weekly reports</h1>',
    reports.length === 0
      ? `<p>No weekly report yet. The collector writes one to ${e(dir)} on its schedule (report.schedule); <code>tierwise report</code> writes one now.</p>`
      : [
          `<p><a href="/reports/latest">The latest: ${e(reports[0]?.week ?? '')}</a></p>`,
          table(
            [t('week'), n('total cost'), n('energy'), t('report')],
            reports.map((r) => [
              r.week,
              r.totals ? money(r.totals.totalCost, r.totals.currency) : '—',
              r.totals ? kwh(r.totals.energyKwh) : '—',
              links(r),
            ]),
          ),
        ].join('\n'),
  ];
  return page('tierwise weekly reports', body);
}
