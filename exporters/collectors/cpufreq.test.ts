import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/support/exposition.ts';
import { collectFrom, fixturePath, readFixture, sampleValue } from '../../test/support/fixtures.ts';
import { NoDataError } from '../collector.ts';
import { cpufreqCollector } from './cpufreq.ts';

const GOLDEN_TEXT = readFixture('prometheus-exposition/node_exporter__e2e-output-linux.txt');
const GOLDEN = parseExposition(GOLDEN_TEXT);

const scratch = mkdtempSync(path.join(tmpdir(), 'tierwise-cpufreq-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Writes the entries of a ttar archive (the text archive format of procfs and node_exporter fixtures)
 * whose path starts with `prefix` below `to`, dropping `strip` from the front of each path.
 */
function extractTtar(archive: string, strip: string, prefix: string, to: string): string {
  const lines = archive.split('\n');
  const target = (entry: string) => path.join(to, entry.slice(strip.length));
  for (let i = 0; i < lines.length; i++) {
    const [kind, entry = ''] = (lines[i] ?? '').split(': ', 2);
    if (!entry.startsWith(prefix)) continue;
    if (kind === 'Directory') mkdirSync(target(entry), { recursive: true });
    if (kind !== 'Path') continue;
    mkdirSync(path.dirname(target(entry)), { recursive: true });
    const [attribute, argument = ''] = (lines[++i] ?? '').split(': ', 2);
    if (attribute === 'SymlinkTo') {
      symlinkSync(argument, target(entry));
    } else if (attribute === 'Lines') {
      const count = Number(argument);
      const text = `${lines.slice(i + 1, i + 1 + count).join('\n')}\n`;
      i += count;
      // ttar marks a file without a final newline with "EOF" at the end of its last line.
      writeFileSync(
        target(entry),
        (text.endsWith('EOF\n') ? text.slice(0, -4) : text).replaceAll('NULLBYTE', '\0'),
      );
    }
  }
  return to;
}

function sysTree(name: string, files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = path.join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  for (const [link, to] of Object.entries(links)) {
    mkdirSync(path.dirname(path.join(root, link)), { recursive: true });
    symlinkSync(to, path.join(root, link));
  }
  return root;
}

const nodeExporterSys = extractTtar(
  readFixture('proc-sys/node_exporter__sys.ttar'),
  'sys/',
  'sys/devices/system/cpu',
  path.join(scratch, 'node_exporter'),
);
const procfsSys = extractTtar(
  readFixture('proc-sys/prometheus-procfs__fixtures.ttar'),
  'fixtures/sys/',
  'fixtures/sys/devices/system/cpu',
  path.join(scratch, 'procfs'),
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
    for (const family of families) {
      expect(GOLDEN_TEXT).toContain(
        `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`,
      );
      const expected = GOLDEN.filter((s) => s.name === family.name);
      expect(family.samples).toHaveLength(expected.length);
      for (const { labels, value } of expected)
        expect(sampleValue(families, family.name, labels)).toBe(value);
    }
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
    const sysfs = sysTree(
      'shared-policy',
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
      const sysfs = sysTree('root-only', {
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
    const sysfs = sysTree('no-cpufreq', {
      'devices/system/cpu/cpu0/online': '1\n',
      'devices/system/cpu/online': '0\n',
    });
    await expect(collectFrom(cpufreqCollector, { sysfs })).rejects.toBeInstanceOf(NoDataError);
    await expect(
      collectFrom(cpufreqCollector, { sysfs: fixturePath('proc-sys/x86-intel-i7-8650u__procfs/sys') }),
    ).rejects.toBeInstanceOf(NoDataError);
  });

  it('fails the scrape on an empty frequency file', async () => {
    const sysfs = sysTree('empty', { 'devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': '' });
    await expect(collectFrom(cpufreqCollector, { sysfs })).rejects.toThrow('expected an unsigned integer');
  });
});
