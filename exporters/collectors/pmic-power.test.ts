import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextFor, readFixture, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { standInCommand } from '../../test/support/stand-in-command.ts';
import { NoDataError } from '../collector.ts';
import { createPmicCollector } from './pmic-power.ts';

const LOADED = readFixture('raspberry-pi/vcgencmd/pi5_pmic_read_adc_load_with-rtc-battery.txt');
const replayPmic = (text: string) => standInCommand('vcgencmd', ['pmic_read_adc'], `cat <<'EOF'\n${text}EOF`);

describe('pmic_power collector', () => {
  it('reports the captured Pi 5 rails as node power, reading the PMIC once per cache period', async () => {
    const vcgencmd = await replayPmic(LOADED);
    const collector = createPmicCollector({ vcgencmd: vcgencmd.bin }).create(contextFor({}));
    const families = await collector.collect();
    expect(sampleValue(families, 'tierwise_node_power_watts', { source: 'pmic' })).toBeCloseTo(10.7998944, 6);
    expect(sampleValue(families, 'tierwise_node_energy_joules_total', { source: 'pmic' })).toBe(0);
    await collector.collect();
    expect(await vcgencmd.runs()).toBe(1);
  });

  it('integrates energy between readings', async () => {
    const vcgencmd = await replayPmic(LOADED);
    const collector = createPmicCollector({ vcgencmd: vcgencmd.bin, cacheMs: 0 }).create(contextFor({}));
    await collector.collect();
    await new Promise((r) => setTimeout(r, 200));
    const families = await collector.collect();
    const joules = sampleValue(families, 'tierwise_node_energy_joules_total', { source: 'pmic' }) ?? 0;
    expect(joules).toBeGreaterThan(10.79 * 0.19);
    expect(joules).toBeLessThan(10.81 * 2);
  });

  it('has no data off a Pi, and fails clearly where the firmware has no PMIC', async () => {
    const absent = path.join(await tempDir('pmic'), 'vcgencmd');
    await expect(createPmicCollector({ vcgencmd: absent }).create(contextFor({})).collect()).rejects.toThrow(
      NoDataError,
    );
    // What a Pi 4's firmware prints for an unknown command (the captured measure_volts output is used
    // as an answer without currents).
    const pi4 = await replayPmic(readFixture('raspberry-pi/vcgencmd/measure_volts_default.txt'));
    await expect(createPmicCollector({ vcgencmd: pi4.bin }).create(contextFor({})).collect()).rejects.toThrow(
      /unexpected line|gave no currents/,
    );
  });
});
