import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFrom, fixturePath, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { NoDataError } from '../collector.ts';
import { thermalZoneCollector } from './thermal-zone.ts';

/** A sysfs tree whose class/thermal holds copies of the given real device directories. */
async function sysWith(devices: Record<string, string>): Promise<string> {
  const sys = await tempDir('thermal');
  await mkdir(path.join(sys, 'class', 'thermal'), { recursive: true });
  for (const [name, source] of Object.entries(devices)) {
    await cp(source, path.join(sys, 'class', 'thermal', name), { recursive: true });
  }
  return sys;
}

describe('thermal_zone collector', () => {
  it('reads the Raspberry Pi SoC zone (bcm2835_thermal)', async () => {
    const sys = await sysWith({ thermal_zone0: fixturePath('raspberry-pi/sysfs/thermal_zone0_bcm2835') });
    const families = await collectFrom(thermalZoneCollector, { sysfs: sys });
    expect(families).toEqual([
      {
        name: 'node_thermal_zone_temp',
        help: 'Zone temperature in Celsius',
        type: 'gauge',
        samples: [{ labels: { zone: '0', type: 'bcm2835_thermal' }, value: 49.925 }],
      },
    ]);
  });

  it('reads an i7-8650U laptop: negative temperatures, powerclamp at -1, a device without cur_state', async () => {
    const families = await collectFrom(thermalZoneCollector, {
      sysfs: fixturePath('proc-sys/x86-intel-i7-8650u__procfs/sys'),
    });
    expect(sampleValue(families, 'node_thermal_zone_temp', { zone: '0', type: 'bcm2835_thermal' })).toBe(
      49.925,
    );
    expect(sampleValue(families, 'node_thermal_zone_temp', { zone: '1', type: 'acpitz' })).toBe(-44);
    expect(sampleValue(families, 'node_cooling_device_cur_state', { name: '0', type: 'Processor' })).toBe(0);
    expect(sampleValue(families, 'node_cooling_device_max_state', { name: '0', type: 'Processor' })).toBe(50);
    expect(
      sampleValue(families, 'node_cooling_device_cur_state', { name: '2', type: 'intel_powerclamp' }),
    ).toBe(-1);
    expect(
      sampleValue(families, 'node_cooling_device_max_state', { name: '2', type: 'intel_powerclamp' }),
    ).toBe(27);
    // cooling_device1 (TFN1) has no cur_state file: left out, as prometheus/procfs does.
    expect(families.find((f) => f.name === 'node_cooling_device_max_state')?.samples).toHaveLength(2);
  });

  it('matches node_exporter’s expected output for its sysfs tree', async () => {
    const families = await collectFrom(thermalZoneCollector, {
      sysfs: fixturePath('proc-sys/x86-hwmon-rapl__node_exporter/sys'),
    });
    const compared = expectMatchesNodeExporter(families, {
      scope: (name) => name.startsWith('node_thermal_zone_') || name.startsWith('node_cooling_device_'),
    });
    expect(compared).toBe(3);
  });

  it('leaves out a disabled zone', async () => {
    const zone = fixturePath('proc-sys/x86-intel-i7-8650u__procfs/sys/class/thermal/thermal_zone1');
    const sys = await sysWith({
      thermal_zone0: fixturePath('raspberry-pi/sysfs/thermal_zone0_bcm2835'),
      thermal_zone1: zone,
    });
    await writeFile(path.join(sys, 'class', 'thermal', 'thermal_zone1', 'mode'), 'disabled\n');
    const families = await collectFrom(thermalZoneCollector, { sysfs: sys });
    expect(families[0]?.samples.map((s) => s.labels.zone)).toEqual(['0']);
  });

  it('has no data without /sys/class/thermal or with an empty one (a VM)', async () => {
    await expect(collectFrom(thermalZoneCollector, { sysfs: '/nonexistent/sys' })).rejects.toThrow(
      NoDataError,
    );
    await expect(collectFrom(thermalZoneCollector, { sysfs: await sysWith({}) })).rejects.toThrow(
      NoDataError,
    );
  });
});
