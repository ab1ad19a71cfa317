import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { decodeThrottled, parseSysfsThrottled, parseVcgencmdThrottled } from './rpi-throttled.ts';

function setFlags(mask: number): string[] {
  return decodeThrottled(mask)
    .filter((s) => s.set)
    .map((s) => `${s.flag}/${s.period}`);
}

describe('parseVcgencmdThrottled', () => {
  it('finds the throttled= line among other vcgencmd output (Pi 3, weak supply, after the fact)', () => {
    expect(
      parseVcgencmdThrottled(
        readFixture('raspberry-pi/vcgencmd/rpi3_measure_temp_get_throttled_0x50000.txt'),
      ),
    ).toBe(0x50000);
  });

  it('reads a Pi 3 that is under-voltage and throttled right now', () => {
    expect(
      parseVcgencmdThrottled(
        readFixture('raspberry-pi/vcgencmd/rpi3_measure_temp_get_throttled_0x50005.txt'),
      ),
    ).toBe(0x50005);
  });

  it('reads a healthy Pi 3 B+', () => {
    expect(
      parseVcgencmdThrottled(readFixture('raspberry-pi/vcgencmd/measure_clock_arm_temp_throttled_0x0.txt')),
    ).toBe(0);
  });

  it('returns undefined for output without a throttled= line', () => {
    expect(
      parseVcgencmdThrottled(readFixture('raspberry-pi/vcgencmd/measure_volts_default.txt')),
    ).toBeUndefined();
    expect(parseVcgencmdThrottled('')).toBeUndefined();
    expect(parseVcgencmdThrottled('VCHI initialization failed\n')).toBeUndefined();
    expect(parseVcgencmdThrottled('throttled=\n')).toBeUndefined();
  });
});

describe('parseSysfsThrottled', () => {
  it('reads the bare hex the firmware driver prints', () => {
    expect(parseSysfsThrottled('50005\n')).toBe(0x50005);
    expect(parseSysfsThrottled('0\n')).toBe(0);
  });

  it('returns undefined for anything else', () => {
    expect(parseSysfsThrottled('')).toBeUndefined();
    expect(parseSysfsThrottled('throttled=0x0')).toBeUndefined();
  });
});

describe('decodeThrottled', () => {
  it('splits 0x50005 into current under-voltage and throttling, and both since boot', () => {
    expect(setFlags(0x50005)).toEqual([
      'under_voltage/now',
      'throttled/now',
      'under_voltage/since_boot',
      'throttled/since_boot',
    ]);
  });

  it('reports 0x50000 as past events only', () => {
    expect(setFlags(0x50000)).toEqual(['under_voltage/since_boot', 'throttled/since_boot']);
  });

  it('always lists all eight flags, clear ones included', () => {
    const states = decodeThrottled(0);
    expect(states).toHaveLength(8);
    expect(states.every((s) => !s.set)).toBe(true);
  });

  it('reads every defined bit and ignores the others', () => {
    expect(setFlags(0xffffffff)).toHaveLength(8);
    expect(setFlags(0xf0f0)).toEqual([]);
  });
});
