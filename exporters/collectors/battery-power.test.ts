import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextFor, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { extractTtar } from '../../test/support/ttar.ts';
import { batteryPowerCollector } from './battery-power.ts';

// node_exporter's captured laptop: BAT0 Discharging, power_now 5002000 µW, and an AC adapter.
const sys = extractTtar('proc-sys/node_exporter__sys.ttar', 'sys', 'class/power_supply');

async function copyOfSys(): Promise<{ root: string; bat: string }> {
  const root = await tempDir('battery');
  await cp(sys, root, { recursive: true });
  return { root, bat: path.join(root, 'class/power_supply/BAT0') };
}

describe('battery_power collector', () => {
  it("reads the captured laptop's discharge power", async () => {
    const families = await batteryPowerCollector.create(contextFor({ sysfs: sys })).collect();
    expect(sampleValue(families, 'tierwise_node_power_watts', { source: 'battery' })).toBe(5.002);
    expect(sampleValue(families, 'tierwise_node_energy_joules_total', { source: 'battery' })).toBe(0);
  });

  it('multiplies current and voltage where the driver has no power_now', async () => {
    const { root, bat } = await copyOfSys();
    await rm(path.join(bat, 'power_now'));
    await writeFile(path.join(bat, 'current_now'), '-429000\n'); // discharging, as some drivers sign it
    const families = await batteryPowerCollector.create(contextFor({ sysfs: root })).collect();
    // 0.429 A × 11.66 V (the captured voltage_now)
    expect(sampleValue(families, 'tierwise_node_power_watts', { source: 'battery' })).toBeCloseTo(5.00214, 9);
  });

  it('has no data on AC, and none without a battery', async () => {
    const { root, bat } = await copyOfSys();
    await writeFile(path.join(bat, 'status'), 'Charging\n');
    await expect(batteryPowerCollector.create(contextFor({ sysfs: root })).collect()).rejects.toThrow(
      /on AC/,
    );
    await expect(
      batteryPowerCollector.create(contextFor({ sysfs: await tempDir('no-battery') })).collect(),
    ).rejects.toThrow(/no battery/);
  });
});
