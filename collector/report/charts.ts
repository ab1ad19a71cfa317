import { scaleBand, scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { DateTime } from 'luxon';
import { escapeHtml } from './escape.ts';
import type { WeeklyReport } from './model.ts';

/**
 * The report's charts as inline SVG, drawn here (d3's scales and path generators, no DOM): the file
 * opens anywhere, offline, with nothing to fetch or run.
 */

/** Colour per series, distinguishable in print and for the common colour blindnesses (Okabe–Ito). */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];

const WIDTH = 720;
const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

const num = (v: number) => Number(v.toFixed(1));

/**
 * Power per tier over the week, one line each: a gap in the data is a break in its line, never a drop
 * to zero. Days are marked at local midnight in the report's zone (so a clock change shows as a day of
 * 23 or 25 hours).
 */
export function powerChartSvg(r: {
  power: WeeklyReport['power'];
  week: Pick<WeeklyReport['week'], 'label' | 'timezone' | 'start' | 'end'>;
}): string {
  const height = 260;
  const m = { top: 16, right: 16, bottom: 48, left: 48 };
  const { power, week } = r;
  const x = scaleLinear()
    .domain([week.start, week.end])
    .range([m.left, WIDTH - m.right]);
  const peak = Math.max(0, ...power.tiers.flatMap((t) => t.watts.filter((w): w is number => w !== null)));
  const y = scaleLinear()
    .domain([0, peak > 0 ? peak : 1])
    .nice()
    .range([height - m.bottom, m.top]);
  const parts: string[] = [];
  for (const tick of y.ticks(5)) {
    parts.push(
      `<line x1="${m.left}" x2="${WIDTH - m.right}" y1="${num(y(tick))}" y2="${num(y(tick))}" stroke="#ddd"/>`,
      `<text x="${m.left - 6}" y="${num(y(tick)) + 4}" text-anchor="end">${tick} W</text>`,
    );
  }
  let day = DateTime.fromSeconds(week.start, { zone: week.timezone });
  for (let i = 0; i <= 7; i++, day = day.plus({ days: 1 })) {
    const at = num(x(day.toSeconds()));
    parts.push(`<line x1="${at}" x2="${at}" y1="${m.top}" y2="${height - m.bottom}" stroke="#eee"/>`);
    if (i < 7)
      parts.push(
        `<text x="${num(x(day.plus({ hours: 12 }).toSeconds()))}" y="${height - m.bottom + 16}" text-anchor="middle">${escapeHtml(day.toFormat('ccc d'))}</text>`,
      );
  }
  const path = line<[number, number | null]>()
    .defined((d) => d[1] !== null)
    .x((d) => num(x(d[0] + power.step_seconds / 2)))
    .y((d) => num(y(d[1] ?? 0)));
  power.tiers.forEach((t, i) => {
    const d = path(t.watts.map((w, k) => [power.start + k * power.step_seconds, w]));
    if (d)
      parts.push(`<path d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.5"/>`);
  });
  power.tiers.forEach((t, i) => {
    const lx = m.left + i * 140;
    parts.push(
      `<rect x="${lx}" y="${height - 18}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`,
      `<text x="${lx + 14}" y="${height - 9}">${escapeHtml(t.tier)}</text>`,
    );
  });
  return svg(height, `Power per tier over ${r.week.label}, hourly means in watts`, parts);
}

/** Total cost per machine, largest first, as horizontal bars labelled with the figure. */
export function costChartSvg(r: WeeklyReport): string {
  const rows = r.machines;
  const m = { top: 8, right: 110, bottom: 8, left: 140 };
  const height = m.top + m.bottom + Math.max(1, rows.length) * 26;
  const y = scaleBand()
    .domain(rows.map((x) => x.name))
    .range([m.top, height - m.bottom])
    .padding(0.2);
  const most = Math.max(0, ...rows.map((x) => x.total_cost));
  const x = scaleLinear()
    .domain([0, most > 0 ? most : 1])
    .range([m.left, WIDTH - m.right]);
  const tiers = r.tiers.map((t) => t.tier);
  const parts = rows.flatMap((row) => {
    const top = num(y(row.name) ?? 0);
    const mid = num(top + y.bandwidth() / 2 + 4);
    const colour = PALETTE[Math.max(0, tiers.indexOf(row.tier)) % PALETTE.length];
    return [
      `<text x="${m.left - 6}" y="${mid}" text-anchor="end">${escapeHtml(row.name)}</text>`,
      `<rect x="${m.left}" y="${top}" width="${num(Math.max(0, x(row.total_cost) - m.left))}" height="${num(y.bandwidth())}" fill="${colour}"/>`,
      `<text x="${num(x(row.total_cost)) + 6}" y="${mid}">${escapeHtml(`${row.total_cost.toFixed(2)} ${r.currency}`)}</text>`,
    ];
  });
  return svg(height, `Total cost per machine over ${r.week.label}`, parts);
}

function svg(height: number, title: string, parts: string[]): string {
  return [
    `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}" ${FONT}>`,
    `<title>${escapeHtml(title)}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
