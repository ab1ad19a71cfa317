import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { contextFor, fixturePath, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { extractTtar } from '../../test/support/ttar.ts';
import * as sysfs from '../sysfs.ts';
import { raplCollector } from './rapl.ts';

const nodeExporterSys = extractTtar('proc-sys/node_exporter__sys.ttar', 'sys', 'class/powercap');

const SYS = fixturePath('proc-sys/x86-hwmon-rapl__node_exporter/sys');
const PACKAGE = `${SYS}/class/powercap/intel-rapl:0`;

describe('rapl collector', () => {
  it("prints node_exporter's own RAPL series for node_exporter's fixture tree", async () => {
    const families = await raplCollector.create(contextFor({ sysfs: nodeExporterSys })).collect();
    const compared = expectMatchesNodeExporter(
      families.filter((f) => f.name.startsWith('node_rapl_')),
      {
        // node_exporter ran in its repository, so its path label starts collector/fixtures/sys.
        relabel: (s) => ({
          ...s,
          labels: {
            ...s.labels,
            path: (s.labels.path ?? '').replace('collector/fixtures/sys', nodeExporterSys),
          },
        }),
      },
    );
    expect(compared).toBe(2);
  });

  it("reads the captured zones as node_exporter does, and the node's energy from the package", async () => {
    const families = await raplCollector.create(contextFor({ sysfs: SYS })).collect();
    expect(sampleValue(families, 'node_rapl_package_joules_total', { index: '0', path: PACKAGE })).toBe(
      240422.366267,
    );
    expect(sampleValue(families, 'node_rapl_core_joules_total', { index: '0', path: `${PACKAGE}:0` })).toBe(
      118821.284256,
    );
    // Core is inside its package: the node is the package alone.
    expect(sampleValue(families, 'tierwise_node_energy_joules_total', { source: 'rapl' })).toBe(
      240422.366267,
    );
    expect(families.find((f) => f.name === 'tierwise_node_power_watts')).toBeUndefined(); // one reading yet
  });

  it('stays monotonic across the wrap at max_energy_range_uj and gives power from two readings', async () => {
    const sys = await tempDir('rapl');
    await cp(SYS, sys, { recursive: true });
    const energy = path.join(sys, 'class/powercap/intel-rapl:0/energy_uj');
    const collector = raplCollector.create(contextFor({ sysfs: sys }));
    await writeFile(energy, '262143000000\n'); // 328850 µJ before the wrap at 262143328850
    await collector.collect();
    await writeFile(energy, '671150\n'); // 1,000,000 µJ = 1 J later
    const families = await collector.collect();
    expect(sampleValue(families, 'tierwise_node_energy_joules_total', { source: 'rapl' })).toBeCloseTo(
      262144,
      6,
    );
    expect(sampleValue(families, 'tierwise_node_power_watts', { source: 'rapl' })).toBeGreaterThan(0);
  });

  it('counts psys alone when the platform zone exists, and packages with DRAM otherwise', async () => {
    const sys = await tempDir('rapl-psys');
    await cp(SYS, sys, { recursive: true });
    const powercap = path.join(sys, 'class/powercap');
    await cp(path.join(powercap, 'intel-rapl:0:0'), path.join(powercap, 'intel-rapl:0:1'), {
      recursive: true,
    });
    await writeFile(path.join(powercap, 'intel-rapl:0:1/name'), 'dram\n');
    await writeFile(path.join(powercap, 'intel-rapl:0:1/energy_uj'), '1000000\n');
    const withDram = await raplCollector.create(contextFor({ sysfs: sys })).collect();
    expect(sampleValue(withDram, 'tierwise_node_energy_joules_total', { source: 'rapl' })).toBeCloseTo(
      240423.366267,
      6,
    );
    await cp(path.join(powercap, 'intel-rapl:0:1'), path.join(powercap, 'intel-rapl:1'), { recursive: true });
    await writeFile(path.join(powercap, 'intel-rapl:1/name'), 'psys\n');
    await writeFile(path.join(powercap, 'intel-rapl:1/energy_uj'), '5000000\n');
    const withPsys = await raplCollector.create(contextFor({ sysfs: sys })).collect();
    expect(sampleValue(withPsys, 'tierwise_node_energy_joules_total', { source: 'rapl' })).toBe(5);
  });

  it('has no data without powercap', async () => {
    await expect(
      raplCollector.create(contextFor({ sysfs: await tempDir('no-rapl') })).collect(),
    ).rejects.toThrow(/no RAPL zones/);
  });

  it('says energy_uj is root-only when the kernel refuses it', async () => {
    // The tests run as root, whom no file mode stops: the kernel's EACCES is given by the reader here.
    const real = sysfs.readSysfsClass;
    const spy = vi.spyOn(sysfs, 'readSysfsClass').mockImplementation(async (...args) => {
      const entries = (await real(...args)) ?? [];
      for (const e of entries) {
        e.values.delete('energy_uj');
        e.failed.set('energy_uj', 'EACCES');
      }
      return entries;
    });
    try {
      await expect(raplCollector.create(contextFor({ sysfs: SYS })).collect()).rejects.toThrow(
        /readable by root only \(Linux 5\.10\+, CVE-2020-8694\)/,
      );
    } finally {
      spy.mockRestore();
    }
  });
});
