import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** One week's stored report (collector/report/deliver/store.ts writes them), as the index lists it. */
export interface ArchivedReport {
  /** The files' base name: the ISO week, e.g. 2026-W47. */
  week: string;
  formats: ReportFormat[];
  /** From the JSON form, where it is there and readable. */
  totals?: { currency: string; totalCost: number; energyKwh: number };
}

export const REPORT_FORMATS = ['html', 'md', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * A stored report's file name, and nothing else: no directories, no dot files, none of the
 * temporary files a write in progress leaves (`<week>.json.tmp-…`).
 */
const FILE = /^([\w-][\w.-]*)\.(html|md|json)$/;

export function parseReportFileName(name: string): { week: string; format: ReportFormat } | undefined {
  const m = FILE.exec(name);
  return m ? { week: m[1] as string, format: m[2] as ReportFormat } : undefined;
}

interface Totals {
  mtimeMs: number;
  totals: ArchivedReport['totals'];
}

/**
 * Lists the reports in `dir`, newest week first (ISO week labels sort as text). The totals are read
 * from each JSON file once and kept until the file changes, so the index stays cheap after a year of
 * weeks. A missing directory is an empty archive: no report has run yet.
 */
export function reportsArchive(dir: string) {
  const cache = new Map<string, Totals>();

  async function totalsOf(file: string): Promise<ArchivedReport['totals']> {
    const { mtimeMs } = await stat(file);
    const hit = cache.get(file);
    if (hit?.mtimeMs === mtimeMs) return hit.totals;
    let totals: ArchivedReport['totals'];
    try {
      const r = JSON.parse(await readFile(file, 'utf8'));
      const cost = r?.totals?.total_cost?.value;
      const energy = r?.totals?.energy_kwh?.value;
      if (typeof r?.currency === 'string' && typeof cost === 'number' && typeof energy === 'number')
        totals = { currency: r.currency, totalCost: cost, energyKwh: energy };
    } catch {
      // Unreadable: listed without figures, its files still served.
    }
    cache.set(file, { mtimeMs, totals });
    return totals;
  }

  async function list(): Promise<ArchivedReport[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const weeks = new Map<string, ReportFormat[]>();
    for (const name of names) {
      const f = parseReportFileName(name);
      if (f) weeks.set(f.week, [...(weeks.get(f.week) ?? []), f.format]);
    }
    const sorted = [...weeks.keys()].sort().reverse();
    return Promise.all(
      sorted.map(async (week) => {
        const formats = REPORT_FORMATS.filter((f) => weeks.get(week)?.includes(f));
        const totals = formats.includes('json') ? await totalsOf(path.join(dir, `${week}.json`)) : undefined;
        return { week, formats, ...(totals && { totals }) };
      }),
    );
  }

  /** The path of a stored report's file, or undefined when `name` is not one that is there. */
  async function file(name: string): Promise<{ path: string; format: ReportFormat } | undefined> {
    const f = parseReportFileName(name);
    if (!f) return undefined;
    const full = path.join(dir, name);
    try {
      return (await stat(full)).isFile() ? { path: full, format: f.format } : undefined;
    } catch {
      return undefined;
    }
  }

  return { dir, list, file };
}
export type ReportsArchive = ReturnType<typeof reportsArchive>;
