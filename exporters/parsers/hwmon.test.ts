import { describe, expect, it } from 'vitest';
import { sampleValue } from '../../test/support/fixtures.ts';
import {
  assignChipIds,
  chipBaseId,
  cleanHwmonName,
  explodeSensorFilename,
  type HwmonChipFiles,
  hwmonFamilies,
  isSensorFile,
} from './hwmon.ts';

function chip(
  dir: string,
  files: Record<string, string>,
  extra: Partial<HwmonChipFiles> = {},
): HwmonChipFiles {
  return { dir, attributes: new Map(Object.entries(files)), ...extra };
}

describe('explodeSensorFilename', () => {
  it('splits type, number and property', () => {
    expect(explodeSensorFilename('temp1_crit_alarm')).toEqual({
      type: 'temp',
      sensor: 'temp1',
      property: 'crit_alarm',
    });
    expect(explodeSensorFilename('pwm1_auto_point1_pwm')).toEqual({
      type: 'pwm',
      sensor: 'pwm1',
      property: 'auto_point1_pwm',
    });
    expect(explodeSensorFilename('pwm1')).toEqual({ type: 'pwm', sensor: 'pwm1', property: '' });
  });

  it('numbers chip-wide files 0, as node_exporter does', () => {
    expect(explodeSensorFilename('beep_enable')).toEqual({
      type: 'beep_enable',
      sensor: 'beep_enable0',
      property: '',
    });
  });

  it('rejects names that are only digits or empty', () => {
    expect(explodeSensorFilename('')).toBeUndefined();
    expect(explodeSensorFilename('42')).toBeUndefined();
  });
});

describe('isSensorFile', () => {
  it('accepts allowlisted types only', () => {
    expect(isSensorFile('temp1_input')).toBe(true);
    expect(isSensorFile('freq1_label')).toBe(true);
    expect(isSensorFile('name')).toBe(false);
    expect(isSensorFile('uevent')).toBe(false);
    expect(isSensorFile('bogus1_input')).toBe(false);
  });
});

describe('cleanHwmonName', () => {
  it('lower-cases, replaces invalid characters and trims underscores', () => {
    expect(cleanHwmonName('coretemp.0')).toBe('coretemp_0');
    expect(cleanHwmonName('asus-nb-wmi')).toBe('asus_nb_wmi');
    expect(cleanHwmonName('BAT1\n')).toBe('bat1');
    expect(cleanHwmonName('  ')).toBe('');
  });
});

describe('chip ids', () => {
  it('prefers the device path, then the name file, then the directory', () => {
    expect(
      chipBaseId({ dir: 'hwmon0', name: 'coretemp\n', devicePath: '/sys/devices/platform/coretemp.0' }),
    ).toBe('platform_coretemp_0');
    expect(chipBaseId({ dir: 'hwmon3', name: 'nct6779\n' })).toBe('nct6779');
    expect(chipBaseId({ dir: 'hwmon4' })).toBe('hwmon4');
    expect(chipBaseId({ dir: 'hwmon4', name: '\n' })).toBe('hwmon4');
  });

  it('leaves unique ids alone', () => {
    const ids = assignChipIds([
      { dir: 'hwmon0', name: 'coretemp', devicePath: '/sys/devices/platform/coretemp.0' },
      { dir: 'hwmon1', name: 'coretemp', devicePath: '/sys/devices/platform/coretemp.1' },
    ]);
    expect(ids).toEqual(['platform_coretemp_0', 'platform_coretemp_1']);
  });

  it('appends the chip name when two chips share a device (node_exporter #3637)', () => {
    const ids = assignChipIds([
      { dir: 'hwmon6', name: 'asus', devicePath: '/sys/devices/platform/asus-nb-wmi' },
      { dir: 'hwmon7', name: 'asus_wmi_sensors', devicePath: '/sys/devices/platform/asus-nb-wmi' },
    ]);
    expect(ids).toEqual(['platform_asus_nb_wmi_asus', 'platform_asus_nb_wmi_asus_wmi_sensors']);
  });

  it('appends the directory when the names clash too', () => {
    const ids = assignChipIds([
      { dir: 'hwmon3', name: 'asus', devicePath: '/sys/devices/platform/asus-nb-wmi' },
      { dir: 'hwmon4', name: 'asus', devicePath: '/sys/devices/platform/asus-nb-wmi' },
      { dir: 'hwmon0', name: 'coretemp' },
      { dir: 'hwmon1', name: 'coretemp' },
    ]);
    expect(ids).toEqual([
      'platform_asus_nb_wmi_hwmon3',
      'platform_asus_nb_wmi_hwmon4',
      'coretemp_hwmon0',
      'coretemp_hwmon1',
    ]);
  });
});

describe('hwmonFamilies', () => {
  it('converts units per sensor type as node_exporter does', () => {
    const families = hwmonFamilies([
      chip('hwmon0', {
        name: 'amdgpu\n',
        temp1_input: '44000\n',
        temp1_crit_hyst: '-273150\n',
        temp1_label: 'edge\n',
        in0_input: '975\n',
        power1_average: '41045000\n',
        power1_average_interval: '500\n',
        energy1_input: '123456789\n',
        curr1_input: '1500\n',
        humidity1_input: '45500\n',
        fan1_input: '595\n',
        fan1_enable: '1\n',
        pwm1: '35\n',
        intrusion0_alarm: '1\n',
        update_interval: '1000\n',
        beep_enable: '1\n',
      }),
    ]);
    const at = (name: string, sensor: string) => sampleValue(families, name, { chip: 'amdgpu', sensor });
    expect(at('node_hwmon_temp_celsius', 'temp1')).toBe(44);
    // -273150 * 0.001 in float64, the same arithmetic (and the same last digit) as node_exporter.
    expect(at('node_hwmon_temp_crit_hyst_celsius', 'temp1')).toBe(-273150 * 0.001);
    expect(at('node_hwmon_in_volts', 'in0')).toBe(0.975);
    expect(at('node_hwmon_power_average_watt', 'power1')).toBe(41.045);
    expect(at('node_hwmon_power_average_interval_seconds', 'power1')).toBe(0.5);
    expect(at('node_hwmon_energy_joule_total', 'energy1')).toBeCloseTo(123.456789, 9);
    expect(at('node_hwmon_curr_amps', 'curr1')).toBe(1.5);
    expect(at('node_hwmon_humidity', 'humidity1')).toBe(0.0455);
    expect(at('node_hwmon_fan_rpm', 'fan1')).toBe(595);
    expect(at('node_hwmon_fan_enable', 'fan1')).toBe(1);
    expect(at('node_hwmon_pwm', 'pwm1')).toBe(35);
    expect(at('node_hwmon_intrusion_alarm', 'intrusion0')).toBe(1);
    expect(at('node_hwmon_update_interval_seconds', 'update_interval0')).toBe(1);
    expect(at('node_hwmon_beep_enabled', 'beep_enable0')).toBe(1);
    expect(families.find((f) => f.name === 'node_hwmon_energy_joule_total')?.type).toBe('counter');
    expect(
      sampleValue(families, 'node_hwmon_sensor_label', { chip: 'amdgpu', sensor: 'temp1', label: 'edge' }),
    ).toBe(1);
    expect(sampleValue(families, 'node_hwmon_chip_names', { chip: 'amdgpu', chip_name: 'amdgpu' })).toBe(1);
  });

  it('keeps both the bare value and _input when a sensor has both files', () => {
    const families = hwmonFamilies([chip('hwmon0', { name: 'x', fan1: '100', fan1_input: '1200' })]);
    expect(sampleValue(families, 'node_hwmon_fan_rpm', { chip: 'x', sensor: 'fan1' })).toBeUndefined();
    expect(sampleValue(families, 'node_hwmon_fan', { chip: 'x', sensor: 'fan1' })).toBe(100);
    expect(sampleValue(families, 'node_hwmon_fan_input_rpm', { chip: 'x', sensor: 'fan1' })).toBe(1200);
  });

  it('names GPU clocks by their label and drops unlabelled ones', () => {
    const families = hwmonFamilies([
      chip('hwmon4', { freq1_input: '798080000', freq1_label: 'sclk', freq2_input: '1750000000' }),
    ]);
    expect(sampleValue(families, 'node_hwmon_freq_freq_mhz', { chip: 'hwmon4', sensor: 'sclk' })).toBe(
      798.08,
    );
    expect(families.find((f) => f.name === 'node_hwmon_freq_freq_mhz')?.samples).toHaveLength(1);
  });

  it('skips values that are not numbers without losing the rest of the chip', () => {
    const families = hwmonFamilies([
      chip('hwmon0', {
        name: 'x',
        temp1_input: 'N/A\n',
        temp2_input: '',
        temp3_input: '30000\n',
        temp1_type: '4',
      }),
    ]);
    const temps = families.find((f) => f.name === 'node_hwmon_temp_celsius')?.samples;
    expect(temps).toEqual([{ labels: { chip: 'x', sensor: 'temp3' }, value: 30 }]);
    // node_exporter gives temp*_type no unit.
    expect(sampleValue(families, 'node_hwmon_temp_type', { chip: 'x', sensor: 'temp1' })).toBe(4);
  });

  it('keeps the raw sensor label, spaces and case included', () => {
    const families = hwmonFamilies([chip('hwmon0', { name: 'coretemp', temp1_label: 'Package id 0\n' })]);
    expect(
      sampleValue(families, 'node_hwmon_sensor_label', {
        chip: 'coretemp',
        sensor: 'temp1',
        label: 'Package id 0',
      }),
    ).toBe(1);
  });

  it('returns no families for no chips', () => {
    expect(hwmonFamilies([])).toEqual([]);
  });
});
