import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/support/exposition.ts';
import { collectFrom, fixturePath, readFixture, sampleValue } from '../../test/support/fixtures.ts';
import { NoDataError } from '../collector.ts';
import { meminfoCollector } from './meminfo.ts';

const GOLDEN_TEXT = readFixture('prometheus-exposition/node_exporter__e2e-output-linux.txt');
const GOLDEN = parseExposition(GOLDEN_TEXT);

describe('meminfoCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree, field for field", async () => {
    const families = await collectFrom(meminfoCollector, {
      procfs: fixturePath('proc-sys/node_exporter__proc'),
    });
    const expectedNames = new Set(
      GOLDEN.filter((s) => s.name.startsWith('node_memory_') && !s.name.startsWith('node_memory_numa_')).map(
        (s) => s.name,
      ),
    );
    expect(new Set(families.map((f) => f.name))).toEqual(expectedNames);
    expect(families).toHaveLength(42);
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

  it('reads the i7-8650U capture, including fields node_exporter has no golden value for', async () => {
    const families = await collectFrom(meminfoCollector, {
      procfs: fixturePath('proc-sys/x86-intel-i7-8650u__procfs/proc'),
    });
    expect(sampleValue(families, 'node_memory_MemTotal_bytes')).toBe(15666184 * 1024);
    expect(sampleValue(families, 'node_memory_Zswapped_bytes')).toBe(10502 * 1024);
  });

  it('reports no data on the Pentium 4 capture, which has no /proc/meminfo', async () => {
    await expect(
      collectFrom(meminfoCollector, { procfs: fixturePath('proc-sys/i386-dell-pe700-pentium4/proc') }),
    ).rejects.toBeInstanceOf(NoDataError);
  });

  it('fails the scrape on an empty file', async () => {
    const procfs = await mkdtemp(path.join(tmpdir(), 'tierwise-meminfo-'));
    try {
      await writeFile(path.join(procfs, 'meminfo'), '');
      await expect(collectFrom(meminfoCollector, { procfs })).rejects.toThrow(
        '/proc/meminfo: the file is empty',
      );
    } finally {
      await rm(procfs, { recursive: true, force: true });
    }
  });
});
