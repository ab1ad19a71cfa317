import type { WeeklyReport } from './model.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import type { RenderedReport } from './rendered.ts';

/** Every form of one report, from the same data, for the files and for delivery. */
export function renderReport(report: WeeklyReport): RenderedReport {
  return {
    title: report.title,
    week: report.week.label,
    html: renderHtml(report),
    markdown: renderMarkdown(report),
    json: `${JSON.stringify(report, null, 2)}\n`,
  };
}
