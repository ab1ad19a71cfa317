import { describe, expect, it } from 'vitest';
import { collectFrom, procTrees, sampleValue, tempTree } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { NoDataError } from '../collector.ts';
import { pressureCollector } from './pressure.ts';

describe('pressureCollector', () => {
  it("equals node_exporter's e2e output for its own /proc tree", async () => {
    const families = await collectFrom(pressureCollector, { procfs: procTrees.nodeExporter });
    expect(families.map((f) => f.name)).toEqual([
      'node_pressure_cpu_waiting_seconds_total',
      'node_pressure_io_waiting_seconds_total',
      'node_pressure_io_stalled_seconds_total',
      'node_pressure_memory_waiting_seconds_total',
      'node_pressure_memory_stalled_seconds_total',
      'node_pressure_irq_stalled_seconds_total',
    ]);
    expectMatchesNodeExporter(families);
  });

  it('leaves irq out on a kernel older than 6.1 (the i7 capture)', async () => {
    const families = await collectFrom(pressureCollector, { procfs: procTrees.i7 });
    expect(families.map((f) => f.name)).not.toContain('node_pressure_irq_stalled_seconds_total');
    expect(sampleValue(families, 'node_pressure_memory_stalled_seconds_total')).toBeCloseTo(25e-6, 15);
  });

  it('reports no data on a kernel without PSI (the Pentium 4 capture)', async () => {
    await expect(collectFrom(pressureCollector, { procfs: procTrees.pentium4 })).rejects.toBeInstanceOf(
      NoDataError,
    );
  });

  it('fails the scrape on an empty pressure file', async () => {
    const procfs = await tempTree('pressure', { 'pressure/io': '' });
    await expect(collectFrom(pressureCollector, { procfs })).rejects.toThrow('/proc/pressure/io: no "some"');
  });
});
