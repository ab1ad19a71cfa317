import { describe, expect, it } from 'vitest';
import { buildWeeklyReport, weeklyReportSchema } from './model.ts';
import { renderReport } from './render.ts';
import { sampleInput } from './sample.ts';

const report = buildWeeklyReport(sampleInput());
const rendered = renderReport(report);

const VOID = new Set(['meta', 'link', 'br', 'img', 'input', 'hr', 'col', 'source', 'wbr', 'area', 'base']);

/** Every element closed in order (the HTML we write has no optional end tags), or the first mismatch. */
function unbalanced(html: string): string | undefined {
  const stack: string[] = [];
  const body = html.replace(/<!DOCTYPE html>/i, '').replace(/<style>[\s\S]*?<\/style>/g, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m as unknown as [string, string, string, string];
    const tag = name.toLowerCase();
    if (VOID.has(tag) || selfClose === '/') continue;
    if (!close) stack.push(tag);
    else if (stack.pop() !== tag) return `</${tag}> at ${m.index}`;
  }
  return stack.length > 0 ? `unclosed <${stack.join('>, <')}>` : undefined;
}

describe('renderReport', () => {
  it('names the report and its week, and its JSON is the report', () => {
    expect(rendered.title).toBe('tierwise weekly report 2026-W13');
    expect(rendered.week).toBe('2026-W13');
    expect(weeklyReportSchema.parse(JSON.parse(rendered.json))).toEqual(report);
  });

  describe('HTML', () => {
    const { html } = rendered;

    it('stands alone: no scripts, no external stylesheets, fonts or images, nothing with a URL to fetch', () => {
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<link/i);
      expect(html).not.toMatch(/<img/i);
      expect(html).not.toMatch(/@import|@font-face|url\(/i);
      expect(html).not.toMatch(/\b(src|href|xlink:href)\s*=/i);
      // The only URL is the source, as text.
      expect([...html.matchAll(/https?:\/\/[^\s<"]+/g)].map((m) => m[0])).toEqual([
        'http://prometheus.lan:9090',
      ]);
    });

    it('is well-formed: every element closed in order, two inline SVG charts', () => {
      expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
      expect(unbalanced(html)).toBeUndefined();
      expect(html.match(/<svg /g)).toHaveLength(2);
      // d3's line: the Pi's missing first hour breaks its line (two M commands would mean two runs).
      const paths = [...html.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(paths).toHaveLength(2);
      expect(paths[1]?.match(/M/g)).toHaveLength(1);
      expect(paths[1]?.startsWith(`M`)).toBe(true);
    });

    it('escapes text from Prometheus and the config', () => {
      expect(html).toContain('move its &lt;workloads&gt; &amp; switch it off');
      expect(html).not.toContain('<workloads>');
    });

    it('has the key figures: totals and change, the 167 hours, moves, switch-offs, alerts, coverage', () => {
      for (const text of [
        '8.00 kWh',
        '10.00 kWh',
        '−2.00 kWh (−20 %)',
        '6.24 EUR',
        '2.0 kg CO2e',
        '2026-W13 has 167 hours in Europe/Berlin: the clocks went forward that week.',
        'Mon 23 Mar 2026 00:00 – Mon 30 Mar 2026 00:00 Europe/Berlin, 167 h',
        'net/unifi|controller',
        '9.30 EUR',
        'nothing left on it',
        'NodeDown',
        'Mon 23 Mar 2026 00:10',
        '1 h',
        'mostly idle: consolidate',
        'gpu-box left out: no tierwise_node_cpu_cores in the window',
      ])
        expect(html, text).toContain(text);
    });
  });

  describe('Markdown', () => {
    const md = rendered.markdown;

    it('has GFM tables with an alignment row, pipes in cells escaped', () => {
      expect(md).toContain(
        '|  | 2026-W13 | 2026-W12 | change |\n| --- | ---: | ---: | ---: |\n| energy | 8.00 kWh | 10.00 kWh | −2.00 kWh (−20 %) |',
      );
      expect(md).toMatch(
        /^\| net\/unifi\\\|controller \| old-desktop \| pi4 \| 2\.14 EUR \| 9\.30 EUR \| fits on pi4 with room to spare \|$/m,
      );
      expect(md).toMatch(/^\| old-desktop \| 1\.94 EUR \| nothing left on it \|$/m);
      expect(md).toMatch(
        /^\| NodeDown \| pi4 \| critical \| Mon 23 Mar 2026 00:10 \| Mon 23 Mar 2026 01:09 \| 1 h \| 1 \|$/m,
      );
      // Every table row has as many cells as its header.
      for (const block of md.split('\n\n').filter((b) => b.startsWith('| '))) {
        const rows = block.split('\n').map((r) => r.replace(/\\\|/g, '').split('|').length);
        expect(new Set(rows).size, block).toBe(1);
      }
    });

    it('heads with the week and notes its hours; no raw HTML from the data', () => {
      expect(md.split('\n').slice(0, 5)).toEqual([
        '# tierwise weekly report 2026-W13',
        '',
        'Mon 23 Mar 2026 00:00 – Mon 30 Mar 2026 00:00 Europe/Berlin, 167 h · from http://prometheus.lan:9090',
        '',
        '> 2026-W13 has 167 hours in Europe/Berlin: the clocks went forward that week.',
      ]);
      expect(md).toContain('move its &lt;workloads> & switch it off');
      expect(md).toContain('## Recommended moves');
    });

    it('says low confidence first and calls the moves possible, not recommended', () => {
      const low = buildWeeklyReport({
        ...sampleInput(),
        current: { ...sampleInput().current, confidence: 'low' },
      });
      const { markdown, html } = renderReport(low);
      expect(markdown).toContain('> **Low confidence**');
      expect(markdown).not.toContain('## Recommended moves');
      expect(markdown).toContain('## Possible moves (low confidence: check the data first)');
      expect(html).toContain('<p class="low"><strong>Low confidence</strong>');
    });
  });
});
