import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { parsePmicReadAdc, pmicWatts } from './pmic.ts';

const LOADED = readFixture('raspberry-pi/vcgencmd/pi5_pmic_read_adc_load_with-rtc-battery.txt');

describe('parsePmicReadAdc', () => {
  it('pairs the currents and voltages of the captured loaded Pi 5', () => {
    const rails = parsePmicReadAdc(LOADED);
    expect(rails).toHaveLength(14);
    expect(rails.find((r) => r.rail === 'VDD_CORE')).toEqual({
      rail: 'VDD_CORE',
      volts: 0.8974594,
      amps: 10.87674,
    });
    expect(rails.find((r) => r.rail === 'EXT5V')).toEqual({ rail: 'EXT5V', volts: 5.06788 });
    expect(rails.find((r) => r.rail === 'BATT')).toEqual({ rail: 'BATT', volts: 3.011108 });
  });

  it('sums volts × amps over the measured rails', () => {
    // The twelve products worked out by hand from the fixture; VDD_CORE alone is 0.8975 V × 10.877 A
    // = 9.76 W of the 10.80 W.
    expect(pmicWatts(parsePmicReadAdc(LOADED))).toBeCloseTo(10.7998944, 6);
  });

  it('rejects what is not pmic_read_adc output', () => {
    expect(() => parsePmicReadAdc('throttled=0x0\n')).toThrow(/unexpected line "throttled=0x0"/);
  });
});
