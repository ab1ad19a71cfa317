import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../common/config.ts';
import { contextFor, procTrees, sampleValue, tempDir, tempTree } from '../../test/support/fixtures.ts';
import { NoDataError } from '../collector.ts';
import { powerModelCollector } from './power-model.ts';

/** A copy of node_exporter's captured /proc whose aggregate cpu line the test can advance. */
async function procWithAdvancingStat() {
  const procfs = await tempDir('power-model-proc');
  await cp(procTrees.nodeExporter, procfs, { recursive: true });
  const file = path.join(procfs, 'stat');
  const captured = await readFile(file, 'utf8');
  /** Adds user and idle ticks (USER_HZ 100) to the captured aggregate line. */
  const advance = (userTicks: number, idleTicks: number) => {
    const [first, ...rest] = captured.split('\n');
    const f = (first ?? '').split(/\s+/);
    f[1] = String(Number(f[1]) + userTicks);
    f[4] = String(Number(f[4]) + idleTicks);
    return writeFile(file, [f.join(' '), ...rest].join('\n'));
  };
  return { procfs, advance };
}

function withPower(power: Partial<ReturnType<typeof defaultConfig>['agent']['power']>) {
  return { power: { ...defaultConfig().agent.power, ...power } };
}

describe('power_model collector', () => {
  it('estimates power from the utilisation between two scrapes and the named profile', async () => {
    const { procfs, advance } = await procWithAdvancingStat();
    const collector = powerModelCollector.create(contextFor({ procfs }, withPower({ profile: 'rpi-5' })));
    const first = await collector.collect();
    expect(first.find((f) => f.name === 'tierwise_node_power_watts')).toBeUndefined();
    await advance(250, 750); // a quarter busy
    const second = await collector.collect();
    // 2.8 W idle + (9.7 − 2.8) × 0.25
    expect(sampleValue(second, 'tierwise_node_power_watts', { source: 'model' })).toBeCloseTo(4.525, 9);
    expect(
      second.find((f) => f.name === 'tierwise_node_power_profile_info')?.samples[0]?.labels.profile,
    ).toBe('rpi-5');
  });

  it('uses a profile from tierwise.yml', async () => {
    const { procfs, advance } = await procWithAdvancingStat();
    const config = withPower({ profile: 'nas', profiles: { nas: { idle_watts: 18, max_watts: 38 } } });
    const collector = powerModelCollector.create(contextFor({ procfs }, config));
    await collector.collect();
    await advance(500, 500);
    expect(sampleValue(await collector.collect(), 'tierwise_node_power_watts', { source: 'model' })).toBe(28);
  });

  it("picks a Raspberry Pi's built-in profile from its device-tree model", async () => {
    const sysfs = await tempTree('pi4', {
      'firmware/devicetree/base/model': 'Raspberry Pi 4 Model B Rev 1.4\0',
    });
    const families = await powerModelCollector
      .create(contextFor({ procfs: procTrees.nodeExporter, sysfs }))
      .collect();
    expect(
      families.find((f) => f.name === 'tierwise_node_power_profile_info')?.samples[0]?.labels.profile,
    ).toBe('rpi-4b');
  });

  it('has no data without a profile for the machine, and names an unknown one', async () => {
    await expect(
      powerModelCollector.create(contextFor({ procfs: procTrees.nodeExporter })).collect(),
    ).rejects.toThrow(NoDataError);
    await expect(
      powerModelCollector
        .create(contextFor({ procfs: procTrees.nodeExporter }, withPower({ profile: 'cray-1' })))
        .collect(),
    ).rejects.toThrow(/agent\.power\.profile "cray-1" is neither built in nor under agent\.power\.profiles/);
  });
});
