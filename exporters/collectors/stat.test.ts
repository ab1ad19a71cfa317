import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectFrom, contextFor, procTrees, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { NoDataError } from '../collector.ts';
import { readProcStat, statCollector } from './stat.ts';

describe('statCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree", async () => {
    const families = await collectFrom(statCollector, { procfs: procTrees.nodeExporter });
    expect(families.map((f) => f.name)).toEqual([
      'node_boot_time_seconds',
      'node_context_switches_total',
      'node_forks_total',
      'node_intr_total',
      'node_procs_running',
      'node_procs_blocked',
    ]);
    expectMatchesNodeExporter(families);
  });

  it('reads the i7-8650U capture', async () => {
    const families = await collectFrom(statCollector, { procfs: procTrees.i7 });
    expect(sampleValue(families, 'node_intr_total')).toBe(73777505);
    expect(sampleValue(families, 'node_procs_blocked')).toBe(1);
  });

  it('reports no data on the Pentium 4 capture, which has no /proc/stat', async () => {
    await expect(collectFrom(statCollector, { procfs: procTrees.pentium4 })).rejects.toBeInstanceOf(
      NoDataError,
    );
  });

  describe('with a /proc/stat the test writes', () => {
    let procfs: string;
    const writeStat = (text: string) => writeFile(path.join(procfs, 'stat'), text);

    beforeEach(async () => {
      procfs = await tempDir('stat');
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
    const { paths } = contextFor({ procfs: procTrees.nodeExporter });
    const [first, second] = await Promise.all([readProcStat(paths), readProcStat(paths)]);
    expect(second).toBe(first);
    expect(await readProcStat(paths)).not.toBe(first);
  });
});
