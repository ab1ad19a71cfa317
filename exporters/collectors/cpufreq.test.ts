import { chmodSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFrom, fixturePath, sampleValue, tempTree } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { extractTtar } from '../../test/support/ttar.ts';
import { NoDataError } from '../collector.ts';
import { cpufreqCollector } from './cpufreq.ts';

const nodeExporterSys = extractTtar('proc-sys/node_exporter__sys.ttar', 'sys', 'devices/system/cpu');
const procfsSys = extractTtar(
  'proc-sys/prometheus-procfs__fixtures.ttar',
  'fixtures/sys',
  'devices/system/cpu',
);

describe('cpufreqCollector', () => {
  it("equals node_exporter's e2e output for its own /sys tree", async () => {
    const families = await collectFrom(cpufreqCollector, { sysfs: nodeExporterSys });
    // That tree has no cpuinfo_* files; its node_cpu_frequency_hertz comes from /proc/cpuinfo (cpu collector).
    expect(families.map((f) => f.name)).toEqual([
      'node_cpu_scaling_frequency_hertz',
      'node_cpu_scaling_frequency_min_hertz',
      'node_cpu_scaling_frequency_max_hertz',
      'node_cpu_scaling_governor',
    ]);
    expectMatchesNodeExporter(families);
  });

  it("reads procfs's tree: a policy directory behind a symlink, cpuinfo_* files, and an offline CPU", async () => {
    const families = await collectFrom(cpufreqCollector, { sysfs: procfsSys });
    const series = (name: string) =>
      families.find((f) => f.name === name)?.samples.map((s) => [s.labels.cpu, s.value]) ?? [];
    // cpu0/cpufreq → ../cpufreq/policy0; cpu1 has its own directory; cpu2 is offline and has none.
    expect(series('node_cpu_frequency_hertz')).toEqual([['1', 1_200_195_000]]);
    expect(series('node_cpu_frequency_max_hertz')).toEqual([
      ['0', 2_400_000_000],
      ['1', 3_300_000_000],
    ]);
    expect(series('node_cpu_scaling_frequency_hertz')).toEqual([['0', 1_219_917_000]]);
    expect(sampleValue(families, 'node_cpu_scaling_governor', { cpu: '1', governor: 'powersave' })).toBe(1);
    expect(sampleValue(families, 'node_cpu_scaling_governor', { cpu: '1', governor: 'performance' })).toBe(0);
  });

  it('reads a policy shared by a cluster once and exports it for each online CPU', async () => {
    const policy = 'devices/system/cpu/cpufreq/policy0';
    const sysfs = await tempTree(
      'cpufreq',
      {
        [`${policy}/cpuinfo_cur_freq`]: '<unknown>\n',
        [`${policy}/scaling_cur_freq`]: '1500000\n',
        [`${policy}/scaling_governor`]: 'ondemand\n',
        'devices/system/cpu/offline': '3\n',
      },
      Object.fromEntries(
        [0, 1, 2, 3].map((cpu) => [`devices/system/cpu/cpu${cpu}/cpufreq`, '../cpufreq/policy0']),
      ),
    );
    const families = await collectFrom(cpufreqCollector, { sysfs });
    // A frequency the driver cannot read is left out; without scaling_available_governors the current
    // governor is the only one known.
    expect(families.map((f) => f.name)).toEqual([
      'node_cpu_scaling_frequency_hertz',
      'node_cpu_scaling_governor',
    ]);
    expect(families[0]?.samples).toEqual(
      ['0', '1', '2'].map((cpu) => ({ labels: { cpu }, value: 1_500_000_000 })),
    );
    expect(families[1]?.samples).toEqual(
      ['0', '1', '2'].map((cpu) => ({ labels: { cpu, governor: 'ondemand' }, value: 1 })),
    );
  });

  it.skipIf(process.getuid?.() === 0)(
    'leaves out cpuinfo_cur_freq when it is readable by root only',
    async () => {
      const dir = 'devices/system/cpu/cpu0/cpufreq';
      const sysfs = await tempTree('cpufreq', {
        [`${dir}/cpuinfo_cur_freq`]: '1000\n',
        [`${dir}/scaling_cur_freq`]: '900\n',
      });
      // Mode 000 denies this (non-root) test what mode 0400 root:root denies an unprivileged agent.
      chmodSync(path.join(sysfs, dir, 'cpuinfo_cur_freq'), 0o000);
      const families = await collectFrom(cpufreqCollector, { sysfs });
      expect(families.map((f) => f.name)).toEqual(['node_cpu_scaling_frequency_hertz']);
    },
  );

  it('reports no data where there is no cpufreq directory (most VMs, some Raspberry Pi kernels)', async () => {
    const sysfs = await tempTree('cpufreq', {
      'devices/system/cpu/cpu0/online': '1\n',
      'devices/system/cpu/online': '0\n',
    });
    await expect(collectFrom(cpufreqCollector, { sysfs })).rejects.toBeInstanceOf(NoDataError);
    await expect(
      collectFrom(cpufreqCollector, { sysfs: fixturePath('proc-sys/x86-intel-i7-8650u__procfs/sys') }),
    ).rejects.toBeInstanceOf(NoDataError);
  });

  it('fails the scrape on an empty frequency file', async () => {
    const sysfs = await tempTree('cpufreq', { 'devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': '' });
    await expect(collectFrom(cpufreqCollector, { sysfs })).rejects.toThrow('expected an unsigned integer');
  });
});
