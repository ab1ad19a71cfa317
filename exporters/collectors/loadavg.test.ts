import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/support/exposition.ts';
import { collectFrom, fixturePath, readFixture, sampleValue } from '../../test/support/fixtures.ts';
import { NoDataError } from '../collector.ts';
import { loadavgCollector } from './loadavg.ts';

const GOLDEN_TEXT = readFixture('prometheus-exposition/node_exporter__e2e-output-linux.txt');
const GOLDEN = parseExposition(GOLDEN_TEXT);

describe('loadavgCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree", async () => {
    const families = await collectFrom(loadavgCollector, {
      procfs: fixturePath('proc-sys/node_exporter__proc'),
    });
    expect(families.map((f) => f.name)).toEqual(['node_load1', 'node_load5', 'node_load15']);
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

  it('reads the i7-8650U capture', async () => {
    const families = await collectFrom(loadavgCollector, {
      procfs: fixturePath('proc-sys/x86-intel-i7-8650u__procfs/proc'),
    });
    expect(sampleValue(families, 'node_load15')).toBe(0.05);
  });

  it('reports no data on the Pentium 4 capture, which has no /proc/loadavg', async () => {
    await expect(
      collectFrom(loadavgCollector, { procfs: fixturePath('proc-sys/i386-dell-pe700-pentium4/proc') }),
    ).rejects.toBeInstanceOf(NoDataError);
  });
});
