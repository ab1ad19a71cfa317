import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectFrom, contextFor, procTrees, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { NoDataError } from '../collector.ts';
import { cpuCollector } from './cpu.ts';

describe('cpuCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree", async () => {
    const families = await collectFrom(cpuCollector, { procfs: procTrees.nodeExporter });
    expect(families.map((f) => f.name)).toEqual(['node_cpu_seconds_total', 'node_cpu_guest_seconds_total']);
    expectMatchesNodeExporter(families);
  });

  it('reads the i7-8650U capture (no guest time)', async () => {
    const families = await collectFrom(cpuCollector, { procfs: procTrees.i7 });
    expect(sampleValue(families, 'node_cpu_seconds_total', { cpu: '7', mode: 'user' })).toBe(290.98);
    expect(sampleValue(families, 'node_cpu_guest_seconds_total', { cpu: '7', mode: 'nice' })).toBe(0);
  });

  it('reports no data on the Pentium 4 capture, which has no /proc/stat', async () => {
    await expect(collectFrom(cpuCollector, { procfs: procTrees.pentium4 })).rejects.toBeInstanceOf(
      NoDataError,
    );
  });

  describe('with a /proc/stat the test rewrites', () => {
    let procfs: string;
    const writeStat = (text: string) => writeFile(path.join(procfs, 'stat'), text);

    beforeEach(async () => {
      procfs = await tempDir('cpu');
    });

    it('exports only the modes an old kernel prints, and no guest family before 2.6.24', async () => {
      await writeStat('cpu  100 2 30 400 5 6 7\ncpu0 100 2 30 400 5 6 7\nctxt 1\nbtime 2\n');
      const families = await collectFrom(cpuCollector, { procfs });
      expect(families.map((f) => f.name)).toEqual(['node_cpu_seconds_total']);
      const modes = families[0]?.samples.map((s) => s.labels.mode);
      expect(modes).toEqual(['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq']);
    });

    it('fails the scrape on a truncated file instead of exporting part of a line', async () => {
      await writeStat('cpu  100 2 30 400 5 6 7 0 0 0\ncpu0 100 2 30 40');
      await expect(collectFrom(cpuCollector, { procfs })).rejects.toThrow('/proc/stat: truncated');
    });

    it('holds a counter that runs backwards, and starts over when idle falls by 3 s or more (hotplug)', async () => {
      const collector = cpuCollector.create(contextFor({ procfs }));
      const value = async (mode: string) =>
        sampleValue(await collector.collect(), 'node_cpu_seconds_total', { cpu: '0', mode });

      await writeStat('cpu  100 0 100 50000 900 0 0 0 0 0\ncpu0 100 0 100 50000 900 0 0 0 0 0\n');
      expect(await value('iowait')).toBe(9);
      // iowait went back, as it can on NO_HZ kernels: keep exporting the last value.
      await writeStat('cpu  110 0 110 50100 850 0 0 0 0 0\ncpu0 110 0 110 50100 850 0 0 0 0 0\n');
      expect(await value('iowait')).toBe(9);
      expect(await value('idle')).toBe(501);
      // idle fell by 5 s: the CPU was unplugged and came back with fresh counters.
      await writeStat('cpu  10 0 10 49600 20 0 0 0 0 0\ncpu0 10 0 10 49600 20 0 0 0 0 0\n');
      expect(await value('iowait')).toBe(0.2);
      expect(await value('idle')).toBe(496);
    });

    it('drops an offline CPU and takes its counters afresh when it returns', async () => {
      const collector = cpuCollector.create(contextFor({ procfs }));
      await writeStat('cpu  0 0 0 0\ncpu0 0 0 0 0\ncpu1 500 0 0 0\n');
      await collector.collect();
      await writeStat('cpu  0 0 0 0\ncpu0 0 0 0 0\n');
      expect(
        sampleValue(await collector.collect(), 'node_cpu_seconds_total', { cpu: '1', mode: 'user' }),
      ).toBe(undefined);
      await writeStat('cpu  0 0 0 0\ncpu0 0 0 0 0\ncpu1 100 0 0 0\n');
      expect(
        sampleValue(await collector.collect(), 'node_cpu_seconds_total', { cpu: '1', mode: 'user' }),
      ).toBe(1);
    });
  });
});
