import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  collectFrom,
  contextFor,
  readFixture,
  sampleValue,
  tempDir,
  tempTree,
} from '../../test/support/fixtures.ts';
import { standInCommand } from '../../test/support/stand-in-command.ts';
import { NoDataError } from '../collector.ts';
import type { MetricFamily } from '../metrics.ts';
import { createRpiCollector, type RpiCollectorOptions, rpiCollector } from './rpi.ts';

/** A sysfs tree whose firmware node answers get_throttled with `text`. */
const sysWithFirmware = (text: string) =>
  tempTree('rpi', { 'devices/platform/soc/soc:firmware/get_throttled': text });

/** The `throttled=` line a real Pi printed, from the captured vcgencmd sessions. */
function capturedLine(fixture: string): string {
  const line = readFixture('raspberry-pi/vcgencmd', fixture)
    .split('\n')
    .find((l) => l.startsWith('throttled='));
  if (!line) throw new Error(`${fixture} has no throttled= line`);
  return line;
}

/** A stand-in vcgencmd that must be asked for get_throttled, then runs `body`. */
const standIn = (body: string) => standInCommand('vcgencmd', ['get_throttled'], body);

const replaying = (fixture: string) => standIn(`printf '%s\\n' '${capturedLine(fixture)}'`);

function vcgencmdCollector(options: RpiCollectorOptions) {
  // No firmware node in this sysfs, so the collector falls back to vcgencmd.
  return createRpiCollector(options).create(contextFor({ sysfs: '/nonexistent/sys' }));
}

function flags(families: MetricFamily[]): Record<string, number> {
  const samples = families.find((f) => f.name === 'tierwise_rpi_throttle_flag')?.samples ?? [];
  return Object.fromEntries(samples.map((s) => [`${s.labels.flag}/${s.labels.period}`, s.value]));
}

describe('rpi collector', () => {
  it('reads the firmware sysfs node without running vcgencmd', async () => {
    // The driver prints the mask as bare hex ("%x\n"); 0x50005 as a weak-supply Pi 3 reported it.
    const sys = await sysWithFirmware(
      `${capturedLine('rpi3_measure_temp_get_throttled_0x50005.txt').slice('throttled=0x'.length)}\n`,
    );
    const vcgencmd = await replaying('measure_clock_arm_temp_throttled_0x0.txt');

    const families = await createRpiCollector({ vcgencmd: vcgencmd.bin })
      .create(contextFor({ sysfs: sys }))
      .collect();
    expect(sampleValue(families, 'tierwise_rpi_throttled_raw')).toBe(0x50005);
    expect(sampleValue(families, 'tierwise_rpi_throttle_source_info', { source: 'sysfs' })).toBe(1);
    expect(flags(families)).toEqual({
      'under_voltage/now': 1,
      'arm_frequency_capped/now': 0,
      'throttled/now': 1,
      'soft_temp_limit/now': 0,
      'under_voltage/since_boot': 1,
      'arm_frequency_capped/since_boot': 0,
      'throttled/since_boot': 1,
      'soft_temp_limit/since_boot': 0,
    });
    expect(await vcgencmd.runs()).toBe(0);
  });

  it('fails clearly on a sysfs node it cannot read as a bitmask', async () => {
    const sys = await sysWithFirmware('throttled=0x0\n');
    await expect(collectFrom(rpiCollector, { sysfs: sys })).rejects.toThrow(/expected a hex bitmask/);
  });

  it('falls back to vcgencmd and decodes what a Pi printed', async () => {
    const vcgencmd = await replaying('rpi3_measure_temp_get_throttled_0x50000.txt');
    const families = await vcgencmdCollector({ vcgencmd: vcgencmd.bin }).collect();
    expect(sampleValue(families, 'tierwise_rpi_throttled_raw')).toBe(0x50000);
    expect(sampleValue(families, 'tierwise_rpi_throttle_source_info', { source: 'vcgencmd' })).toBe(1);
    expect(flags(families)['under_voltage/now']).toBe(0);
    expect(flags(families)['under_voltage/since_boot']).toBe(1);
  });

  it('runs vcgencmd at most once per cache period, concurrent scrapes included', async () => {
    const vcgencmd = await replaying('measure_clock_arm_temp_throttled_0x0.txt');
    const collector = vcgencmdCollector({ vcgencmd: vcgencmd.bin });
    await Promise.all([collector.collect(), collector.collect()]);
    const families = await collector.collect();
    expect(sampleValue(families, 'tierwise_rpi_throttled_raw')).toBe(0);
    expect(await vcgencmd.runs()).toBe(1);

    const uncached = vcgencmdCollector({ vcgencmd: vcgencmd.bin, cacheMs: 0 });
    await uncached.collect();
    await uncached.collect();
    expect(await vcgencmd.runs()).toBe(3);
  });

  it('kills a vcgencmd that hangs after 2 s and says so', async () => {
    const vcgencmd = await standIn('exec sleep 30');
    const collector = vcgencmdCollector({ vcgencmd: vcgencmd.bin });
    const started = performance.now();
    await expect(collector.collect()).rejects.toThrow(/did not answer within 2000 ms/);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(5_000);
    // The failure is cached too: the next scrape does not spawn (and wait) again.
    await expect(collector.collect()).rejects.toThrow(/did not answer/);
    expect(await vcgencmd.runs()).toBe(1);
  });

  it('reports the exit status and message of a vcgencmd that fails', async () => {
    // What vcgencmd prints when it cannot open /dev/vchiq (user not in the video group).
    const vcgencmd = await standIn("echo 'VCHI initialization failed' >&2\nexit 1");
    await expect(vcgencmdCollector({ vcgencmd: vcgencmd.bin }).collect()).rejects.toThrow(
      /get_throttled failed \(exit 1\): VCHI initialization failed/,
    );
  });

  it('fails on vcgencmd output without a throttled= line', async () => {
    const vcgencmd = await standIn(
      `cat <<'EOF'\n${readFixture('raspberry-pi/vcgencmd/measure_volts_default.txt')}EOF`,
    );
    await expect(vcgencmdCollector({ vcgencmd: vcgencmd.bin }).collect()).rejects.toThrow(
      /no throttled= line/,
    );
  });

  it('has no data on a machine with neither the sysfs node nor vcgencmd', async () => {
    const collector = vcgencmdCollector({ vcgencmd: path.join(await tempDir('rpi'), 'vcgencmd') });
    await expect(collector.collect()).rejects.toThrow(NoDataError);
  });
});
