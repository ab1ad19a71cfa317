import type { CollectorStatus } from './scrape.ts';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** A small landing page, like node_exporter's, with each collector's state at the last scrape. */
export function renderIndexPage(version: string, statuses: CollectorStatus[]): string {
  const rows = statuses
    .map((s) => {
      const state = s.up ? 'up' : 'down';
      const when = s.at.getTime() === 0 ? '—' : s.at.toISOString();
      return `<tr class="${state}"><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.description)}</td><td>${state}</td><td>${escapeHtml(s.reason ?? '')}</td><td>${(s.durationSeconds * 1000).toFixed(1)} ms</td><td>${when}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tierwise agent</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:left}tr.down td:nth-child(3){color:#b00;font-weight:600}tr.up td:nth-child(3){color:#070}</style>
</head><body>
<h1>tierwise agent</h1>
<p>Version ${escapeHtml(version)} · <a href="/metrics">Metrics</a> · <a href="/healthz">Health</a></p>
<h2>Collectors (at the last scrape)</h2>
<table><thead><tr><th>Collector</th><th>Reads</th><th>State</th><th>Reason</th><th>Took</th><th>At</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
