import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/support/exposition.ts';
import { collectFrom, fixturePath, readFixture, sampleValue } from '../../test/support/fixtures.ts';
import { NoDataError } from '../collector.ts';
import { pressureCollector } from './pressure.ts';

const GOLDEN_TEXT = readFixture('prometheus-exposition/node_exporter__e2e-output-linux.txt');
const GOLDEN = parseExposition(GOLDEN_TEXT);

describe('pressureCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree", async () => {
    const families = await collectFrom(pressureCollector, {
      procfs: fixturePath('proc-sys/node_exporter__proc'),
    });
    expect(families.map((f) => f.name)).toEqual([
      'node_pressure_cpu_waiting_seconds_total',
      'node_pressure_io_waiting_seconds_total',
      'node_pressure_io_stalled_seconds_total',
      'node_pressure_memory_waiting_seconds_total',
      'node_pressure_memory_stalled_seconds_total',
      'node_pressure_irq_stalled_seconds_total',
    ]);
    for (const family of families) {
      expect(GOLDEN_TEXT).toContain(
        `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`,
      );
      const expected = GOLDEN.filter((s) => s.name === family.name);
      expect(family.samples).toHaveLength(expected.length);
      for (const { labels, value } of expected)
        expect(sampleValue(families, family.name, labels)).toBe(value);
    }
  });

  it('leaves irq out on a kernel older than 6.1 (the i7 capture)', async () => {
    const families = await collectFrom(pressureCollector, {
      procfs: fixturePath('proc-sys/x86-intel-i7-8650u__procfs/proc'),
    });
    expect(families.map((f) => f.name)).not.toContain('node_pressure_irq_stalled_seconds_total');
    expect(sampleValue(families, 'node_pressure_memory_stalled_seconds_total')).toBeCloseTo(25e-6, 15);
  });

  it('reports no data on a kernel without PSI (the Pentium 4 capture)', async () => {
    await expect(
      collectFrom(pressureCollector, { procfs: fixturePath('proc-sys/i386-dell-pe700-pentium4/proc') }),
    ).rejects.toBeInstanceOf(NoDataError);
  });

  it('fails the scrape on an empty pressure file', async () => {
    const procfs = await mkdtemp(path.join(tmpdir(), 'tierwise-pressure-'));
    try {
      await mkdir(path.join(procfs, 'pressure'));
      await writeFile(path.join(procfs, 'pressure', 'io'), '');
      await expect(collectFrom(pressureCollector, { procfs })).rejects.toThrow(
        '/proc/pressure/io: no "some"',
      );
    } finally {
      await rm(procfs, { recursive: true, force: true });
    }
  });
});
