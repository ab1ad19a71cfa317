import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/support/exposition.ts';
import {
  collectFrom,
  contextFor,
  fixturePath,
  readFixture,
  sampleValue,
} from '../../test/support/fixtures.ts';
import { NoDataError } from '../collector.ts';
import { readProcStat, statCollector } from './stat.ts';

const GOLDEN_TEXT = readFixture('prometheus-exposition/node_exporter__e2e-output-linux.txt');
const GOLDEN = parseExposition(GOLDEN_TEXT);

describe('statCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree", async () => {
    const families = await collectFrom(statCollector, {
      procfs: fixturePath('proc-sys/node_exporter__proc'),
    });
    expect(families.map((f) => f.name)).toEqual([
      'node_boot_time_seconds',
      'node_context_switches_total',
      'node_forks_total',
      'node_intr_total',
      'node_procs_running',
      'node_procs_blocked',
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

  it('reads the i7-8650U capture', async () => {
    const families = await collectFrom(statCollector, {
      procfs: fixturePath('proc-sys/x86-intel-i7-8650u__procfs/proc'),
    });
    expect(sampleValue(families, 'node_intr_total')).toBe(73777505);
    expect(sampleValue(families, 'node_procs_blocked')).toBe(1);
  });

  it('reports no data on the Pentium 4 capture, which has no /proc/stat', async () => {
    await expect(
      collectFrom(statCollector, { procfs: fixturePath('proc-sys/i386-dell-pe700-pentium4/proc') }),
    ).rejects.toBeInstanceOf(NoDataError);
  });

  describe('with a /proc/stat the test writes', () => {
    let procfs: string;
    const writeStat = (text: string) => writeFile(path.join(procfs, 'stat'), text);

    beforeEach(async () => {
      procfs = await mkdtemp(path.join(tmpdir(), 'tierwise-stat-'));
    });
    afterEach(async () => {
      await rm(procfs, { recursive: true, force: true });
    });

    it('leaves out what a 2.4 kernel does not print instead of reporting 0', async () => {
      await writeStat(
        'cpu  1764 0 1018 96356\nintr 103017 99138 3\nctxt 116341\nbtime 1236267562\nprocesses 1532\n',
      );
      const families = await collectFrom(statCollector, { procfs });
      expect(families.map((f) => f.name)).toEqual([
        'node_boot_time_seconds',
        'node_context_switches_total',
        'node_forks_total',
        'node_intr_total',
      ]);
    });

    it('fails the scrape on an empty file', async () => {
      await writeStat('');
      await expect(collectFrom(statCollector, { procfs })).rejects.toThrow('/proc/stat: the file is empty');
    });
  });

  it('lets the cpu and stat collectors of one scrape share one read of /proc/stat, and keeps nothing after it', async () => {
    const { paths } = contextFor({ procfs: fixturePath('proc-sys/node_exporter__proc') });
    const [first, second] = await Promise.all([readProcStat(paths), readProcStat(paths)]);
    expect(second).toBe(first);
    expect(await readProcStat(paths)).not.toBe(first);
  });
});
