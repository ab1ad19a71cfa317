import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RenderedReport } from '../rendered.ts';

/** Where one report's three files are, absolute. */
export interface StoredReport {
  dir: string;
  html: string;
  markdown: string;
  json: string;
}

/** The week as a file name: anything but letters, digits, dot, dash and underscore becomes `_`. */
export function reportBaseName(week: string): string {
  const safe = week.replace(/[^\w.-]/g, '_').replace(/^\.+/, '_');
  return safe.length > 0 ? safe : 'report';
}

/**
 * Writes DIR/<week>.html, .md and .json. Each goes to a temporary file that is synced and renamed
 * over the target, so a reader (or a power cut on a Pi's SD card) sees the old file or the new one,
 * never half of one. A second run for the same week replaces the first.
 */
export async function storeReport(report: RenderedReport, dir: string): Promise<StoredReport> {
  const abs = resolve(dir);
  await mkdir(abs, { recursive: true });
  const base = join(abs, reportBaseName(report.week));
  const stored: StoredReport = {
    dir: abs,
    html: `${base}.html`,
    markdown: `${base}.md`,
    json: `${base}.json`,
  };
  await writeAtomic(stored.json, report.json);
  await writeAtomic(stored.markdown, report.markdown);
  await writeAtomic(stored.html, report.html);
  return stored;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
