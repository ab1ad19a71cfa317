import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../common/config.ts';
import { type CollectorDefinition, type HostPaths, NoDataError } from '../../exporters/collector.ts';
import { cpuCollector } from '../../exporters/collectors/cpu.ts';
import { diskstatsCollector } from '../../exporters/collectors/diskstats.ts';
import { createFilesystemCollector, type StatfsResult } from '../../exporters/collectors/filesystem.ts';
import { hwmonCollector } from '../../exporters/collectors/hwmon.ts';
import { inventoryFamilies } from '../../exporters/collectors/inventory.ts';
import { loadavgCollector } from '../../exporters/collectors/loadavg.ts';
import { meminfoCollector } from '../../exporters/collectors/meminfo.ts';
import { netdevCollector } from '../../exporters/collectors/netdev.ts';
import { osCollector } from '../../exporters/collectors/os.ts';
import { statCollector } from '../../exporters/collectors/stat.ts';
import { thermalZoneCollector } from '../../exporters/collectors/thermal-zone.ts';
import { unameCollector } from '../../exporters/collectors/uname.ts';
import { gatherInventory } from '../../exporters/inventory/inventory.ts';
import type { MetricFamily } from '../../exporters/metrics.ts';
import { parseDfPk } from '../../exporters/parsers/mountinfo.ts';
import { capturePath, fakeDfDir, RECORDED_DF } from '../../test/support/fake-df.ts';
import { contextFor, procTrees, sampleValue } from '../../test/support/fixtures.ts';
import { expectMatchesNodeExporter } from '../../test/support/node-exporter-golden.ts';
import { probeRoot, runProbeScript } from '../../test/support/probe-shell.ts';
import { extractTtar } from '../../test/support/ttar.ts';
import { meminfoWithAvailable, probeFamilies } from './families.ts';
import { identitySections, parseProbeOutput } from './output.ts';
import { PROBE_SCRIPT, PROBE_SCRIPT_WITH_IDENTITY } from './script.ts';

const OS_RELEASE = readFileSync('/etc/os-release', 'utf8');

/** A statfs that answers from a recorded `df -Pk` for the mount points under `root`, as df saw them. */
function statfsFromDf(capture: string, root: string): (file: string) => Promise<StatfsResult> {
  const rows = new Map(parseDfPk(readFileSync(capture, 'utf8')).map((r) => [r.mountPoint, r]));
  return async (file) => {
    const row = rows.get(`/${path.relative(root, file)}`.replace(/^\/\.?$/, '/'));
    if (!row) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    const kb = (bytes: number) => bytes / 1024;
    return {
      bsize: 1024,
      blocks: kb(row.sizeBytes),
      bfree: kb(row.sizeBytes - row.usedBytes),
      bavail: kb(row.availBytes),
      files: 0,
      ffree: 0,
    };
  };
}

const AGENT_COLLECTORS: CollectorDefinition[] = [
  cpuCollector,
  statCollector,
  loadavgCollector,
  meminfoCollector,
  diskstatsCollector,
  netdevCollector,
  hwmonCollector,
  thermalZoneCollector,
  unameCollector,
  osCollector,
];

type Outcome = { up: true; families: MetricFamily[] } | { up: false; noData: boolean };

/** Every collector the probe stands in for, run by the agent's own code on the same tree. */
async function agentOutcomes(paths: HostPaths, dfCapture: string): Promise<Map<string, Outcome>> {
  const ctx = contextFor(paths);
  const run = async (collect: () => Promise<MetricFamily[]>): Promise<Outcome> => {
    try {
      return { up: true, families: await collect() };
    } catch (err) {
      return { up: false, noData: err instanceof NoDataError };
    }
  };
  const outcomes = new Map<string, Outcome>();
  for (const def of AGENT_COLLECTORS) outcomes.set(def.name, await run(() => def.create(ctx).collect()));
  const filesystem = createFilesystemCollector(ctx, { statfs: statfsFromDf(dfCapture, paths.rootfs) });
  outcomes.set('filesystem', await run(() => filesystem.collect()));
  outcomes.set('inventory', await run(async () => inventoryFamilies(await gatherInventory(ctx))));
  return outcomes;
}

/** Families in one order, samples in one order: the agent and the probe add them differently. */
function normalised(families: MetricFamily[]) {
  return families
    .map((f) => ({
      ...f,
      samples: [...f.samples].sort((a, b) =>
        JSON.stringify(Object.entries(a.labels).sort()).localeCompare(
          JSON.stringify(Object.entries(b.labels).sort()),
        ),
      ),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function up(families: MetricFamily[]): Map<string, string | undefined> {
  const samples = families.find((f) => f.name === 'tierwise_collector_up')?.samples ?? [];
  return new Map(samples.map((s) => [s.labels.collector ?? '', s.value === 1 ? undefined : s.labels.reason]));
}

const PROBE_ONLY = new Set(['tierwise_collector_up', 'tierwise_probe_memavailable_estimated']);

/** The probe's families of one collector: those the agent's collector of that name makes too. */
function probePart(families: MetricFamily[], agent: MetricFamily[]): MetricFamily[] {
  const names = new Set(agent.map((f) => f.name));
  return families.filter((f) => names.has(f.name));
}

/**
 * Expects the probe to give, collector by collector, the agent's series on the same tree: the same
 * names, help, types, labels and values where the agent's collector succeeds, and no data where the
 * agent has none. Known differences are left out by name: the probe's MemAvailable estimate, df's
 * missing inode counts, and the root filesystem size the agent takes from statfs of its own /.
 */
async function expectSameAsAgent(
  probe: MetricFamily[],
  paths: HostPaths,
  dfCapture: string,
): Promise<number> {
  const agent = await agentOutcomes(paths, dfCapture);
  const probeUp = up(probe);
  let compared = 0;
  for (const [collector, outcome] of agent) {
    expect(probeUp.has(collector), collector).toBe(true);
    if (!outcome.up) {
      expect(probeUp.get(collector), `${collector} is down for the agent`).toMatch(
        outcome.noData ? /^no data/ : /./,
      );
      continue;
    }
    expect(probeUp.get(collector), collector).toBeUndefined();
    const expected = outcome.families
      .filter(
        (f) =>
          !['node_filesystem_files', 'node_filesystem_files_free', 'tierwise_node_disk_bytes'].includes(
            f.name,
          ),
      )
      .filter((f) => f.samples.length > 0);
    const got = probePart(probe, expected).filter((f) => !PROBE_ONLY.has(f.name));
    expect(normalised(got), collector).toEqual(normalised(expected));
    compared += expected.reduce((n, f) => n + f.samples.length, 0);
  }
  return compared;
}

function probe(script: string, root: string, pathPrefix: string): Map<string, string> {
  const run = runProbeScript(script, { root, pathPrefix });
  expect(run.stderr).toBe('');
  return parseProbeOutput(run.stdout);
}

/**
 * A fixture's /proc and /sys (and this machine's os-release) under one root, the probe's output on it
 * with `dfCapture` as df's, and the agent's paths to the same tree. Call it in a describe block.
 */
function fixtureProbe(proc: string, sys: string, dfCapture: string) {
  const root = probeRoot({ 'etc/os-release': OS_RELEASE }, { proc, sys });
  const df = fakeDfDir(dfCapture);
  const paths = { procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root };
  return { root, df, paths, sections: probe(PROBE_SCRIPT_WITH_IDENTITY, root, df) };
}

describe("probeFamilies on node_exporter's trees (its /proc, its sys.ttar), run under busybox sh", () => {
  const sys = extractTtar('proc-sys/node_exporter__sys.ttar', 'sys');
  const { root, df, paths, sections } = fixtureProbe(procTrees.nodeExporter, sys, RECORDED_DF.coreutils);

  it('gives the agent’s series, collector by collector', async () => {
    const families = probeFamilies(sections);
    expect(await expectSameAsAgent(families, paths, RECORDED_DF.coreutils)).toBeGreaterThan(400);
  });

  it('matches node_exporter’s own end-to-end output for the procfs families', () => {
    const families = probeFamilies(sections).filter((f) =>
      /^node_(cpu|boot_time|context|forks|intr|procs|load|disk)_|^node_load/.test(f.name),
    );
    const compared = expectMatchesNodeExporter(families, {
      // node_exporter's run had the per-CPU info and guest families on; we compare what it exported.
      scope: (name) => families.some((f) => f.name === name),
    });
    expect(compared).toBeGreaterThan(100);
  });

  it('estimates MemAvailable, which this 3.x kernel’s meminfo does not have, and says so', () => {
    const families = probeFamilies(sections);
    expect(sampleValue(families, 'tierwise_probe_memavailable_estimated')).toBe(1);
    // No min_free_kbytes in the tree: MemFree + Active(file) + Inactive(file) + SReclaimable.
    expect(sampleValue(families, 'node_memory_MemAvailable_bytes')).toBe(
      (225472 + 213412 + 145676 + 44772) * 1024,
    );
  });

  it('uses the identity of the connection’s first probe on the later ones', () => {
    const later = probe(PROBE_SCRIPT, root, df);
    expect(later.has('cpuinfo')).toBe(false);
    const withIdentity = probeFamilies(later, { identity: identitySections(sections) });
    expect(normalised(withIdentity)).toEqual(normalised(probeFamilies(sections)));
    // Without it, what needs the identity has no data; the rest is unaffected.
    const alone = up(probeFamilies(later));
    expect(alone.get('uname')).toMatch(/^no data: identity/);
    expect(alone.get('inventory')).toMatch(/^no data: identity/);
    expect(alone.get('cpu')).toBeUndefined();
  });

  it('gives the tier of the target’s config, and the class otherwise', () => {
    const info = (tier?: string) =>
      probeFamilies(sections, { tier }).find((f) => f.name === 'tierwise_node_info')?.samples[0]?.labels;
    // A BAT0 with no scope: a laptop.
    expect(info()).toMatchObject({ class: 'portable', tier: 'portable', os: expect.any(String) });
    expect(info('attic')).toMatchObject({ class: 'portable', tier: 'attic' });
  });
});

describe("probeFamilies on prometheus/procfs's tree (net/dev, DRM cards, zones, min_free_kbytes)", () => {
  const fixtures = extractTtar('proc-sys/prometheus-procfs__fixtures.ttar', 'fixtures');
  const { paths, sections } = fixtureProbe(
    path.join(fixtures, 'proc'),
    path.join(fixtures, 'sys'),
    RECORDED_DF.busybox,
  );

  it('gives the agent’s series, collector by collector', async () => {
    const families = probeFamilies(sections);
    expect(await expectSameAsAgent(families, paths, RECORDED_DF.busybox)).toBeGreaterThan(100);
    expect(up(families).get('netdev')).toBeUndefined();
  });

  it('estimates MemAvailable with the low watermarks from min_free_kbytes', () => {
    expect(sections.get('min-free-kbytes')).toBe('67584\n');
    const families = probeFamilies(sections);
    const low = Math.floor((67584 * 5) / 4);
    const kb = (name: string) => (sampleValue(families, `node_memory_${name}_bytes`) ?? Number.NaN) / 1024;
    const pageCache = kb('Active_file') + kb('Inactive_file');
    const slab = kb('SReclaimable');
    const expected =
      kb('MemFree') -
      low +
      pageCache -
      Math.min(Math.floor(pageCache / 2), low) +
      slab -
      Math.min(Math.floor(slab / 2), low);
    expect(sampleValue(families, 'node_memory_MemAvailable_bytes')).toBe(expected * 1024);
    expect(expected).toBeGreaterThan(kb('MemFree'));
  });
});

describe('probeFamilies on a 2.4 Pentium II (captures/linux-2.4-pentium2), with /proc/mounts and BusyBox df', () => {
  const capture = (file: string) => readFileSync(capturePath('linux-2.4-pentium2', file), 'utf8');
  const root = probeRoot({
    'proc/cpuinfo': capture('cpuinfo'),
    'proc/meminfo': capture('meminfo'),
    'proc/stat': capture('stat'),
    'proc/partitions': capture('partitions'),
    'proc/mounts': readFileSync(capturePath('vm-6.18', 'proc-mounts'), 'utf8'),
  });
  const df = fakeDfDir(RECORDED_DF.busybox);
  const families = probeFamilies(probe(PROBE_SCRIPT_WITH_IDENTITY, root, df));

  it('exports the four CPU modes a 2.4 kernel counts, and no procs_* series', () => {
    const cpu = families.find((f) => f.name === 'node_cpu_seconds_total');
    expect(cpu?.samples.map((s) => s.labels.mode)).toEqual(['user', 'nice', 'system', 'idle']);
    expect(sampleValue(families, 'node_cpu_seconds_total', { cpu: '0', mode: 'idle' })).toBe(2213.4);
    expect(families.find((f) => f.name === 'node_cpu_guest_seconds_total')).toBeUndefined();
    expect(families.find((f) => f.name.startsWith('node_procs_'))).toBeUndefined();
    expect(sampleValue(families, 'node_boot_time_seconds')).toBe(1005238271);
  });

  it('reads the disks from /proc/partitions, as node_exporter names them', () => {
    expect(sampleValue(families, 'node_disk_read_bytes_total', { device: 'hda' })).toBe(9550688 * 512);
    expect(sampleValue(families, 'node_disk_io_time_seconds_total', { device: 'hda' })).toBe(3376.34);
    // hda1 is a partition, left out as node_exporter's default does.
    expect(sampleValue(families, 'node_disk_read_bytes_total', { device: 'hda1' })).toBeUndefined();
  });

  it('reads a 2.4 meminfo past its byte summary, and estimates MemAvailable from free memory and cache', () => {
    expect(sampleValue(families, 'node_memory_MemTotal_bytes')).toBe(513192 * 1024);
    expect(sampleValue(families, 'node_memory_MemShared_bytes')).toBe(0);
    expect(sampleValue(families, 'node_memory_Inact_dirty_bytes')).toBe(18880 * 1024);
    // No file LRU counters, no SReclaimable, no min_free_kbytes: MemFree + Buffers + Cached. `free` on
    // this machine said 285292 kB free "-/+ buffers/cache" a moment apart.
    expect(sampleValue(families, 'node_memory_MemAvailable_bytes')).toBe((7840 + 1112 + 275480) * 1024);
    expect(sampleValue(families, 'tierwise_probe_memavailable_estimated')).toBe(1);
  });

  it('joins /proc/mounts with df -Pk by mount point; a mount df does not list is a device error', () => {
    const labels = (mountpoint: string, device: string) => ({ device, fstype: 'tmpfs', mountpoint });
    expect(
      sampleValue(families, 'node_filesystem_size_bytes', {
        device: '/dev/vda',
        fstype: 'ext4',
        mountpoint: '/',
      }),
    ).toBe(264212084 * 1024);
    expect(
      sampleValue(families, 'node_filesystem_free_bytes', {
        device: '/dev/vda',
        fstype: 'ext4',
        mountpoint: '/',
      }),
    ).toBe((264212084 - 23361124) * 1024);
    expect(sampleValue(families, 'node_filesystem_avail_bytes', labels('/tmp/bb/mnt point', 'my disk'))).toBe(
      1024 * 1024,
    );
    expect(sampleValue(families, 'node_filesystem_readonly', labels('/tmp/bb/mnt point', 'my disk'))).toBe(1);
    expect(sampleValue(families, 'node_filesystem_device_error', labels('/tmp/bb/e', ''))).toBe(1);
    expect(sampleValue(families, 'node_filesystem_device_error', labels('/tmp/bb/t\tab', 'tmpfs'))).toBe(1);
    // /proc is excluded by type, as by the agent's default; df has no inode columns.
    expect(families.find((f) => f.name === 'node_filesystem_size_bytes')?.samples).toHaveLength(3);
    expect(families.find((f) => f.name === 'node_filesystem_files')).toBeUndefined();
  });

  it('classifies the box as ultra-low from its 400 MHz clock and 501 MiB, and reports no data where files are missing', () => {
    const info = families.find((f) => f.name === 'tierwise_node_info')?.samples[0]?.labels;
    expect(info).toMatchObject({ class: 'ultra-low', tier: 'ultra-low', model: 'Pentium II (Deschutes)' });
    expect(sampleValue(families, 'tierwise_node_cpu_cores')).toBe(2);
    expect(sampleValue(families, 'tierwise_node_cpu_max_hertz')).toBe(399.57e6);
    expect(sampleValue(families, 'tierwise_node_disk_bytes')).toBe(264212084 * 1024);
    const health = up(families);
    expect(health.get('loadavg')).toBe('no data: no /proc/loadavg');
    expect(health.get('netdev')).toBe('no data: no /proc/net/dev');
    expect(health.get('hwmon')).toBe('no data: no /sys/class/hwmon');
    expect([...health].filter(([, reason]) => reason === undefined).map(([name]) => name)).toEqual([
      'cpu',
      'stat',
      'meminfo',
      'diskstats',
      'filesystem',
      'uname',
      'inventory',
    ]);
  });

  it('gives what the agent gives where the agent reads the same files (cpu, stat)', async () => {
    const paths = { procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root };
    for (const def of [cpuCollector, statCollector]) {
      const agent = await def.create(contextFor(paths)).collect();
      expect(normalised(probePart(families, agent))).toEqual(normalised(agent));
    }
  });
});

describe('probeFamilies on the Pentium 4 capture, which has nothing but cpuinfo', () => {
  const root = path.dirname(procTrees.pentium4);
  const families = probeFamilies(probe(PROBE_SCRIPT_WITH_IDENTITY, root, fakeDfDir(RECORDED_DF.busybox)));

  it('reports every procfs collector as no data and the inventory as unknown memory, and still answers', () => {
    const health = up(families);
    expect(health.get('cpu')).toBe('no data: no /proc/stat');
    expect(health.get('meminfo')).toBe('no data: no /proc/meminfo');
    expect(health.get('inventory')).toBe('no data: no MemTotal in meminfo');
    expect(health.get('uname')).toBeUndefined();
    expect(families.filter((f) => f.name.startsWith('node_')).map((f) => f.name)).toContain(
      'node_uname_info',
    );
  });
});

describe('probeFamilies, from sections', () => {
  /** The sections of an output that printed these, as parseProbeOutput returns them. */
  const sectionsOf = (extra: Record<string, string>) =>
    new Map<string, string>([['begin', '1\n'], ...Object.entries(extra), ['end', '']]);
  const DF =
    'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 1000 400 500 45% /\ntmpfs 10 0 10 0% /run/a\n';

  it('takes the df row of a block device mounted twice, which GNU df prints once', () => {
    const mountinfo = [
      '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '28 27 254:0 /srv /var/www rw,relatime - ext4 /dev/vda rw',
      '29 27 0:40 / /run/a rw - tmpfs tmpfs rw',
      '30 27 0:41 / /run/b rw - tmpfs tmpfs rw',
      '',
    ].join('\n');
    const families = probeFamilies(sectionsOf({ mountinfo, df: DF }));
    const www = { device: '/dev/vda', fstype: 'ext4', mountpoint: '/var/www' };
    expect(sampleValue(families, 'node_filesystem_size_bytes', www)).toBe(1000 * 1024);
    expect(sampleValue(families, 'node_filesystem_free_bytes', www)).toBe(600 * 1024);
    // Another tmpfs is another filesystem: no row, no borrowed figures.
    expect(
      sampleValue(families, 'node_filesystem_device_error', {
        device: 'tmpfs',
        fstype: 'tmpfs',
        mountpoint: '/run/b',
      }),
    ).toBe(1);
  });

  it('reports the part that does not parse, with the parser’s reason, and answers the rest', () => {
    const families = probeFamilies(
      sectionsOf({
        stat: 'cpu  1 2 3 4\ncpu0 1 2 3',
        loadavg: '0.5 0.25 0.1 1/2 3\n',
        df: 'not df output\n',
      }),
    );
    const health = up(families);
    expect(health.get('cpu')).toMatch(/truncated/);
    expect(health.get('stat')).toMatch(/truncated/);
    expect(health.get('filesystem')).toMatch(/^no data: no mountinfo/);
    expect(health.get('loadavg')).toBeUndefined();
    expect(sampleValue(families, 'node_load1')).toBe(0.5);
  });

  it('applies the agent config’s excludes', () => {
    const mountinfo = '27 1 254:0 / / rw - ext4 /dev/vda rw\n29 27 0:40 / /run/a rw - tmpfs tmpfs rw\n';
    const netdev =
      'Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n  lo: 1 2 3 4\neth0: 5 6 7 8\n';
    const families = probeFamilies(sectionsOf({ 'net-dev': netdev, mountinfo, df: DF }), {
      filesystem: { ...defaultConfig().agent.filesystem, fs_types_exclude: '^tmpfs$' },
      netdevDeviceExclude: '^lo$',
    });
    expect(
      families.find((f) => f.name === 'node_filesystem_size_bytes')?.samples.map((s) => s.labels.mountpoint),
    ).toEqual(['/']);
    expect(
      families
        .find((f) => f.name === 'node_network_receive_bytes_total')
        ?.samples.map((s) => s.labels.device),
    ).toEqual(['eth0']);
  });

  it('derives the boot time from /proc/uptime only where /proc/stat has no btime and a clock is given', () => {
    const sections = sectionsOf({ stat: 'cpu  1 2 3 4\nctxt 5\n', uptime: '1000.50 900.00\n' });
    expect(sampleValue(probeFamilies(sections), 'node_boot_time_seconds')).toBeUndefined();
    expect(
      sampleValue(probeFamilies(sections, { nowSeconds: 1_700_000_000 }), 'node_boot_time_seconds'),
    ).toBe(1_699_999_000);
  });
});

describe('meminfoWithAvailable', () => {
  it('keeps the kernel’s MemAvailable where there is one', () => {
    const text = 'MemTotal: 100 kB\nMemFree: 10 kB\nMemAvailable: 50 kB\n';
    expect(meminfoWithAvailable(text, '1000')).toMatchObject({ estimated: false, text });
  });

  it('never goes below 0 when the watermarks exceed what is free', () => {
    const { entries } = meminfoWithAvailable(
      'MemFree: 100 kB\nActive(file): 10 kB\nInactive(file): 10 kB\n',
      '4000',
    );
    expect(entries.find((e) => e.key === 'MemAvailable_bytes')?.value).toBe(0);
  });
});

describe('on this machine: the script under busybox sh against the real /proc, /sys and df', () => {
  const run = runProbeScript(PROBE_SCRIPT_WITH_IDENTITY, { shell: ['busybox', 'sh'] });
  const families = probeFamilies(parseProbeOutput(run.stdout));
  const paths = { procfs: '/proc', sysfs: '/sys', rootfs: '/' };
  const labelSets = (fams: MetricFamily[], name: string) =>
    (fams.find((f) => f.name === name)?.samples ?? []).map((s) => JSON.stringify(s.labels)).sort();

  it('runs without a word on stderr and parses, each collector up or down as the agent’s is', async () => {
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const agent = await agentOutcomes(paths, RECORDED_DF.busybox);
    const health = up(families);
    for (const [collector, outcome] of agent) {
      expect(health.get(collector) === undefined, `${collector}: ${health.get(collector)}`).toBe(outcome.up);
    }
    for (const always of [
      'cpu',
      'stat',
      'loadavg',
      'meminfo',
      'diskstats',
      'filesystem',
      'uname',
      'inventory',
    ]) {
      expect(health.get(always), always).toBeUndefined();
    }
    expect(sampleValue(families, 'tierwise_probe_memavailable_estimated')).toBe(0);
  });

  it('gives the agent’s series where they do not move between two reads', async () => {
    const ctx = contextFor(paths);
    const collect = (def: CollectorDefinition) => def.create(ctx).collect();
    const [uname, os, meminfo, cpu, diskstats] = await Promise.all(
      [unameCollector, osCollector, meminfoCollector, cpuCollector, diskstatsCollector].map(collect),
    );
    expect(probePart(families, uname ?? [])).toEqual(uname);
    expect(probePart(families, os ?? [])).toEqual(os);
    expect(sampleValue(families, 'node_memory_MemTotal_bytes')).toBe(
      sampleValue(meminfo ?? [], 'node_memory_MemTotal_bytes'),
    );
    expect(labelSets(families, 'node_cpu_seconds_total')).toEqual(
      labelSets(cpu ?? [], 'node_cpu_seconds_total'),
    );
    expect(labelSets(families, 'node_disk_io_now')).toEqual(labelSets(diskstats ?? [], 'node_disk_io_now'));

    const inventory = await gatherInventory(ctx);
    const info = families.find((f) => f.name === 'tierwise_node_info')?.samples[0]?.labels;
    expect(info).toEqual(
      inventoryFamilies(inventory).find((f) => f.name === 'tierwise_node_info')?.samples[0]?.labels,
    );
    expect(sampleValue(families, 'tierwise_node_cpu_cores')).toBe(inventory.logicalCpus);
    expect(sampleValue(families, 'tierwise_node_memory_bytes')).toBe(inventory.memoryBytes);
  });

  it('reports the mounts the agent reports, with the sizes statfs gives', async () => {
    const agent = await createFilesystemCollector(contextFor(paths)).collect();
    expect(labelSets(families, 'node_filesystem_readonly')).toEqual(
      labelSets(agent, 'node_filesystem_readonly'),
    );
    const root = { device: expect.any(String), fstype: expect.any(String), mountpoint: '/' };
    const sizes = (fams: MetricFamily[]) =>
      new Map(
        (fams.find((f) => f.name === 'node_filesystem_size_bytes')?.samples ?? []).map((s) => [
          JSON.stringify(s.labels),
          s.value,
        ]),
      );
    const ours = sizes(families);
    expect([...ours.keys()].map((k) => JSON.parse(k))).toContainEqual(root);
    for (const [labels, size] of sizes(agent)) {
      // df -Pk counts in KiB: a filesystem with blocks smaller than that may differ by a part of one.
      if (ours.has(labels)) expect(Math.abs((ours.get(labels) ?? 0) - size), labels).toBeLessThan(1024);
    }
  });

  it('estimates, from this kernel’s own meminfo without MemAvailable, close to what the kernel says', () => {
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const kernel = Number(/^MemAvailable:\s+(\d+) kB$/m.exec(meminfo)?.[1]) * 1024;
    const total = Number(/^MemTotal:\s+(\d+) kB$/m.exec(meminfo)?.[1]) * 1024;
    const estimate = meminfoWithAvailable(
      meminfo.replace(/^MemAvailable:.*\n/m, ''),
      readFileSync('/proc/sys/vm/min_free_kbytes', 'utf8'),
    ).entries.find((e) => e.key === 'MemAvailable_bytes')?.value;
    // Newer kernels also count KReclaimable and reserve totalreserve_pages: close, not equal.
    expect(Math.abs((estimate ?? 0) - kernel) / total).toBeLessThan(0.05);
  });
});
