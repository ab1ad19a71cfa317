import { describe, expect, it } from 'vitest';
import { collectFrom, procTrees, sampleValue } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { NoDataError } from '../collector.ts';
import { loadavgCollector } from './loadavg.ts';

describe('loadavgCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree", async () => {
    const families = await collectFrom(loadavgCollector, { procfs: procTrees.nodeExporter });
    expect(families.map((f) => f.name)).toEqual(['node_load1', 'node_load5', 'node_load15']);
    expectMatchesNodeExporter(families);
  });

  it('reads the i7-8650U capture', async () => {
    const families = await collectFrom(loadavgCollector, { procfs: procTrees.i7 });
    expect(sampleValue(families, 'node_load15')).toBe(0.05);
  });

  it('reports no data on the Pentium 4 capture, which has no /proc/loadavg', async () => {
    await expect(collectFrom(loadavgCollector, { procfs: procTrees.pentium4 })).rejects.toBeInstanceOf(
      NoDataError,
    );
  });
});
