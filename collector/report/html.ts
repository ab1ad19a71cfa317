import { escapeHtml as e } from './escape.ts';

/**
 * The pieces every tierwise page is built from: the weekly report's file and the collector's pages.
 * Inline, so a file stands alone: opened from a mail or a disk it fetches nothing.
 */
const CSS = `
body{font:14px/1.45 system-ui,sans-serif;color:#222;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:.5rem 0;width:100%}
th,td{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.4rem .8rem}
.low{background:#fdecea;border-left:4px solid #c62828;padding:.4rem .8rem}
.muted{color:#666}.verdict-mostly-idle-consolidate,.verdict-power-off-off-hours{color:#b35900;font-weight:600}
.verdict-no-data{color:#c62828}figure{margin:1rem 0;overflow-x:auto}figure svg{min-width:32rem}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{flex:1 1 10rem;border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem}
.card .v{font-size:1.4rem;font-weight:600;font-variant-numeric:tabular-nums}.card .k{color:#666}
nav a{margin-right:1rem}
@media (max-width:40rem){body{margin:1rem auto;font-size:13px}td,th{padding:.2rem .3rem}}
`;

export interface Col {
  head: string;
  numeric?: boolean;
}

/** Every cell is text, escaped here; a cell given as {html} is markup the caller built. */
export type Cell = string | { html: string };

export const n = (head: string): Col => ({ head, numeric: true });
export const t = (head: string): Col => ({ head });

/** Wide tables scroll sideways on a phone instead of widening the page. */
export function table(cols: Col[], rows: Cell[][]): string {
  const head = cols.map((c) => `<th${c.numeric ? ' class="n"' : ''}>${e(c.head)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((cellValue, i) => {
            const text = typeof cellValue === 'string' ? e(cellValue) : cellValue.html;
            return `<td${cols[i]?.numeric ? ' class="n"' : ''}>${text}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

export const list = (items: string[]) => `<ul>\n${items.map((i) => `<li>${e(i)}</li>`).join('\n')}\n</ul>`;

/** Figures a person reads first, as a row of cards: [label, value]. */
export function cards(items: [string, string][]): string {
  const card = ([k, v]: [string, string]) =>
    `<div class="card"><div class="k">${e(k)}</div><div class="v">${e(v)}</div></div>`;
  return `<div class="cards">${items.map(card).join('')}</div>`;
}

/** A whole page: no scripts, nothing fetched. `head` is extra markup for <head> that the caller built. */
export function page(title: string, body: string[], head: string[] = []): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ...head,
    `<title>${e(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
