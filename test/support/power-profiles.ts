import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { PowerPoint } from '../../exporters/power/calibrate/fit.ts';
import { fixturesRoot } from './fixtures.ts';

/** A SPECpower_ssj2008 result's eleven measured points (active idle, 10 … 100 % load) from the shared table. */
export function specpowerPoints(resultId: string): PowerPoint[] {
  const rows = parse(readFileSync(path.join(fixturesRoot, '../power-profiles/specpower_curves.csv')), {
    columns: true,
  }) as Record<string, string>[];
  const row = rows.find((r) => r.result_id === resultId);
  if (!row) throw new Error(`no SPECpower result ${resultId}`);
  return [
    { utilisation: 0, watts: Number(row.active_idle_W) },
    ...Array.from({ length: 10 }, (_, i) => ({
      utilisation: (i + 1) / 10,
      watts: Number(row[`W_at_${(i + 1) * 10}pct`]),
    })),
  ];
}
