import { describe, expect, it } from 'vitest';
import { collectFrom, procTrees, sampleValue, tempTree } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { NoDataError } from '../collector.ts';
import { meminfoCollector } from './meminfo.ts';

describe('meminfoCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree, field for field", async () => {
    const families = await collectFrom(meminfoCollector, { procfs: procTrees.nodeExporter });
    expect(families).toHaveLength(42);
    expectMatchesNodeExporter(families, {
      scope: (name) => name.startsWith('node_memory_') && !name.startsWith('node_memory_numa_'),
    });
  });

  it('reads the i7-8650U capture, including fields node_exporter has no golden value for', async () => {
    const families = await collectFrom(meminfoCollector, { procfs: procTrees.i7 });
    expect(sampleValue(families, 'node_memory_MemTotal_bytes')).toBe(15666184 * 1024);
    expect(sampleValue(families, 'node_memory_Zswapped_bytes')).toBe(10502 * 1024);
  });

  it('reports no data on the Pentium 4 capture, which has no /proc/meminfo', async () => {
    await expect(collectFrom(meminfoCollector, { procfs: procTrees.pentium4 })).rejects.toBeInstanceOf(
      NoDataError,
    );
  });

  it('fails the scrape on an empty file', async () => {
    const procfs = await tempTree('meminfo', { meminfo: '' });
    await expect(collectFrom(meminfoCollector, { procfs })).rejects.toThrow(
      '/proc/meminfo: the file is empty',
    );
  });
});
