import { cp, mkdir, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { collectFrom, contextFor, fixturePath, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { NoDataError } from '../collector.ts';
import type { Sample } from '../metrics.ts';
import { hwmonCollector } from './hwmon.ts';

const X86 = fixturePath('proc-sys/x86-hwmon-rapl__node_exporter/sys');

async function tempSys(): Promise<string> {
  const dir = await tempDir('hwmon');
  await mkdir(path.join(dir, 'class', 'hwmon'), { recursive: true });
  return dir;
}

/** Copies one real hwmonN directory into a fresh sysfs tree as class/hwmon/<as>. */
async function sysWithChip(source: string, as = path.basename(source)): Promise<string> {
  const sys = await tempSys();
  await cp(source, path.join(sys, 'class', 'hwmon', as), { recursive: true });
  return sys;
}

describe('hwmon collector', () => {
  it('matches node_exporter’s expected output for the same sysfs tree, chip by chip', async () => {
    // node_exporter's golden file was made from its sys.ttar, where every hwmonN has a `device` link;
    // our extracted copy of that tree dropped the links, so chip labels fall back to the `name` file
    // (and, where two coretemp packages share that name, to "<name>_<hwmonN>"). Values must not change.
    const chipInOurTree: Record<string, string | undefined> = {
      platform_coretemp_0: 'coretemp_hwmon0',
      platform_coretemp_1: 'coretemp_hwmon1',
      ieee80211_phy0_mt7996_phy0_0: 'mt7996_phy0_0',
      ieee80211_phy0_mt7996_phy0_1: 'mt7996_phy0_1',
      ieee80211_phy0_mt7996_phy0_2: 'mt7996_phy0_2',
      platform_asus_nb_wmi_asus: 'asus',
      platform_asus_nb_wmi_asus_wmi_sensors: 'asus_wmi_sensors',
      nct6779: 'nct6779',
      hwmon4: 'hwmon4',
      // applesmc keeps its sensors in device/, which the extraction dropped: hwmon2 is absent.
      platform_applesmc_768: undefined,
    };
    const families = await collectFrom(hwmonCollector, { sysfs: X86 });
    // hwmon5 ("bogus") is a synthetic chip that node_exporter's end-to-end run filters out with
    // --collector.hwmon.chip-include; its bogus1_* files are not a sensor type, so only its name shows.
    const isBogus = (s: Sample) => s.labels.chip === 'bogus';
    const bogus = families.flatMap((f) => f.samples.filter(isBogus).map((s) => ({ name: f.name, ...s })));
    expect(bogus).toEqual([
      { name: 'node_hwmon_chip_names', labels: { chip: 'bogus', chip_name: 'bogus' }, value: 1 },
    ]);
    const ours = families.map((f) => ({ ...f, samples: f.samples.filter((s) => !isBogus(s)) }));

    const compared = expectMatchesNodeExporter(ours, {
      scope: (name) => name.startsWith('node_hwmon_'),
      relabel: (s) => {
        const chip = chipInOurTree[s.labels.chip ?? ''];
        return chip === undefined ? undefined : { ...s, labels: { ...s.labels, chip } };
      },
    });
    expect(compared).toBeGreaterThan(100);
  });

  it('names chips from their device link, as node_exporter does on a live system', async () => {
    // Rebuild the layout of the real machine: class/hwmon/hwmonN -> devices/platform/coretemp.N/hwmon/hwmonN.
    const sys = await tempSys();
    for (const n of [0, 1]) {
      const device = path.join(sys, 'devices', 'platform', `coretemp.${n}`);
      const chipDir = path.join(device, 'hwmon', `hwmon${n}`);
      await cp(path.join(X86, 'class', 'hwmon', `hwmon${n}`), chipDir, { recursive: true });
      await symlink(device, path.join(chipDir, 'device'));
      await symlink(chipDir, path.join(sys, 'class', 'hwmon', `hwmon${n}`));
    }
    const families = await collectFrom(hwmonCollector, { sysfs: sys });
    expect(
      sampleValue(families, 'node_hwmon_temp_celsius', { chip: 'platform_coretemp_0', sensor: 'temp1' }),
    ).toBe(55);
    expect(
      sampleValue(families, 'node_hwmon_temp_max_celsius', { chip: 'platform_coretemp_1', sensor: 'temp5' }),
    ).toBe(84);
    expect(
      sampleValue(families, 'node_hwmon_chip_names', { chip: 'platform_coretemp_1', chip_name: 'coretemp' }),
    ).toBe(1);
  });

  it('reads a Dell PowerEdge R720 coretemp package', async () => {
    const families = await collectFrom(hwmonCollector, {
      sysfs: fixturePath('proc-sys/dell-poweredge-r720-hwmon/sys'),
    });
    const at = (name: string, sensor: string, labels: Record<string, string> = {}) =>
      sampleValue(families, name, { chip: 'coretemp', sensor, ...labels });
    expect(at('node_hwmon_temp_celsius', 'temp1')).toBe(54);
    expect(at('node_hwmon_temp_max_celsius', 'temp1')).toBe(81);
    expect(at('node_hwmon_temp_crit_celsius', 'temp7')).toBe(91);
    expect(at('node_hwmon_temp_crit_alarm_celsius', 'temp7')).toBe(0);
    expect(at('node_hwmon_sensor_label', 'temp1', { label: 'Package id 0' })).toBe(1);
    expect(families.find((f) => f.name === 'node_hwmon_temp_celsius')?.samples).toHaveLength(7);
  });

  it('reads a ThinkPad X250: battery voltage, fan, PWM and unlabelled temperatures', async () => {
    const families = await collectFrom(hwmonCollector, {
      sysfs: fixturePath('proc-sys/thinkpad-x250-hwmon/sys'),
    });
    expect(sampleValue(families, 'node_hwmon_in_volts', { chip: 'bat1', sensor: 'in0' })).toBe(11.943);
    expect(sampleValue(families, 'node_hwmon_fan_rpm', { chip: 'thinkpad', sensor: 'fan1' })).toBe(2200);
    expect(sampleValue(families, 'node_hwmon_pwm', { chip: 'thinkpad', sensor: 'pwm1' })).toBe(255);
    expect(sampleValue(families, 'node_hwmon_pwm_enable', { chip: 'thinkpad', sensor: 'pwm1' })).toBe(2);
    expect(sampleValue(families, 'node_hwmon_temp_celsius', { chip: 'thinkpad', sensor: 'temp6' })).toBe(76);
    expect(
      sampleValue(families, 'node_hwmon_sensor_label', { chip: 'thinkpad', sensor: 'temp1', label: 'CPU' }),
    ).toBe(1);
  });

  it.each([
    ['rx580/hwmon4', 'amdgpu', 41.045, 798.08],
    ['rx6900xt/hwmon5', 'amdgpu', 36, 500],
    ['rx7600s/hwmon5', 'amdgpu', 1, 0],
    // This dump has no `name` file, so the chip keeps its directory name.
    ['rx7800xt/hwmon4', 'hwmon4', 10, 0],
    ['rx9070xt/hwmon3', 'amdgpu', 19, 59],
    ['vega56/hwmon4', 'amdgpu', 8, 26],
  ])('reads an AMD GPU (%s): board power and shader clock', async (dump, chip, watts, sclkMhz) => {
    const families = await collectFrom(hwmonCollector, {
      sysfs: await sysWithChip(fixturePath('proc-sys/amdgpu-hwmon', dump)),
    });
    expect(sampleValue(families, 'node_hwmon_power_average_watt', { chip, sensor: 'power1' })).toBe(watts);
    expect(sampleValue(families, 'node_hwmon_freq_freq_mhz', { chip, sensor: 'sclk' })).toBe(sclkMhz);
    expect(sampleValue(families, 'node_hwmon_sensor_label', { chip, sensor: 'power1', label: 'PPT' })).toBe(
      1,
    );
    expect(sampleValue(families, 'node_hwmon_power_cap_watt', { chip, sensor: 'power1' })).toBeGreaterThan(0);
  });

  it('reports the other sensors when one sensor file cannot be read, and logs the one that failed', async () => {
    const sys = await sysWithChip(fixturePath('proc-sys/dell-poweredge-r720-hwmon/sys/class/hwmon/hwmon0'));
    // A sensor whose read fails (here EISDIR; on hardware, EIO or EAGAIN from a busy bus).
    await symlink(os.tmpdir(), path.join(sys, 'class', 'hwmon', 'hwmon0', 'temp8_input'));
    const lines: string[] = [];
    const ctx = contextFor({ sysfs: sys });
    ctx.log = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });

    const families = await hwmonCollector.create(ctx).collect();
    expect(sampleValue(families, 'node_hwmon_temp_celsius', { chip: 'coretemp', sensor: 'temp1' })).toBe(54);
    expect(
      sampleValue(families, 'node_hwmon_temp_celsius', { chip: 'coretemp', sensor: 'temp8' }),
    ).toBeUndefined();
    expect(lines.some((l) => l.includes('temp8_input') && l.includes('EISDIR'))).toBe(true);
  });

  it('has no data without /sys/class/hwmon or without chips', async () => {
    await expect(collectFrom(hwmonCollector, { sysfs: '/nonexistent/sys' })).rejects.toThrow(NoDataError);
    await expect(collectFrom(hwmonCollector, { sysfs: await tempSys() })).rejects.toThrow(NoDataError);
  });
});
