import { readdirSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextFor, fixturePath, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { hwmonPowerCollector } from './hwmon-power.ts';

/** A sysfs whose class/hwmon holds the captured chips of `cards` (amdgpu-hwmon/<card>/hwmonN). */
async function sysWithCards(...cards: string[]): Promise<string> {
  const sys = await tempDir('hwmon-power');
  let n = 0;
  for (const card of cards) {
    const dir = fixturePath('proc-sys/amdgpu-hwmon', card);
    for (const hwmon of readdirSync(dir))
      await cp(path.join(dir, hwmon), path.join(sys, `class/hwmon/hwmon${n++}`), { recursive: true });
  }
  return sys;
}

describe('hwmon_power collector', () => {
  it('reports AMD graphics cards as GPU power, summed', async () => {
    // rx6900xt: power1_average 36000000 µW ("PPT"); rx580: 41045000 µW.
    const sys = await sysWithCards('rx6900xt', 'rx580');
    const families = await hwmonPowerCollector.create(contextFor({ sysfs: sys })).collect();
    expect(sampleValue(families, 'tierwise_node_power_watts', { source: 'gpu', vendor: 'amd' })).toBeCloseTo(
      77.045,
      9,
    );
    expect(sampleValue(families, 'tierwise_node_power_watts', { source: 'hwmon' })).toBeUndefined();
  });

  it('reports an ACPI power meter as the whole machine, with its energy counter', async () => {
    // No capture of an ACPI power_meter was found: its files are written here as the driver names them.
    const sys = await sysWithCards('rx7800xt');
    const meter = path.join(sys, 'class/hwmon/hwmon9');
    await cp(path.join(sys, 'class/hwmon/hwmon0'), meter, { recursive: true });
    await writeFile(path.join(meter, 'name'), 'power_meter\n');
    await writeFile(path.join(meter, 'energy1_input'), '5000000\n');
    const families = await hwmonPowerCollector.create(contextFor({ sysfs: sys })).collect();
    expect(sampleValue(families, 'tierwise_node_power_watts', { source: 'hwmon' })).toBe(10); // the copied 10 W
    expect(sampleValue(families, 'tierwise_node_energy_joules_total', { source: 'hwmon' })).toBe(5);
  });

  it('has no data on machines with neither', async () => {
    const sys = await tempDir('hwmon-none');
    await cp(
      fixturePath('proc-sys/x86-hwmon-rapl__node_exporter/sys/class/hwmon'),
      path.join(sys, 'class/hwmon'),
      {
        recursive: true,
      },
    );
    await expect(hwmonPowerCollector.create(contextFor({ sysfs: sys })).collect()).rejects.toThrow(
      /no power meter/,
    );
  });
});
