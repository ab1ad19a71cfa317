import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturePath, fakeDfDir, RECORDED_DF } from '../../test/support/fake-df.ts';
import { procTrees, tempTree } from '../../test/support/fixtures.ts';
import { POSIX_SHELLS, probeRoot, runProbeScript } from '../../test/support/probe-shell.ts';
import { extractTtar } from '../../test/support/ttar.ts';
import { parseProbeOutput } from './output.ts';
import { PROBE_SCRIPT, PROBE_SCRIPT_WITH_IDENTITY } from './script.ts';

const nodeExporterSys = extractTtar('proc-sys/node_exporter__sys.ttar', 'sys');

/** node_exporter's /proc and /sys fixture trees under one root, as TIERWISE_ROOT wants them. */
const nodeExporterRoot = probeRoot({}, { proc: procTrees.nodeExporter, sys: nodeExporterSys });
const busyboxDf = fakeDfDir(RECORDED_DF.busybox);
const coreutilsDf = fakeDfDir(RECORDED_DF.coreutils);

describe('PROBE_SCRIPT', () => {
  it('is one constant for every target, in the POSIX subset busybox ash and old bash share', () => {
    expect(PROBE_SCRIPT_WITH_IDENTITY.replace('tw_identity=1\n', 'tw_identity=\n')).toBe(PROBE_SCRIPT);
    // No single quote: the script may be passed as sh -c '<script>'.
    expect(PROBE_SCRIPT).not.toContain("'");
    for (const bashism of [
      '[[',
      '$((',
      '$(',
      '${#',
      'local ',
      'function ',
      '==',
      '<<<',
      'source ',
      'echo -',
    ]) {
      expect(PROBE_SCRIPT, bashism).not.toContain(bashism);
    }
    for (const tool of ['awk', 'sed', 'grep', 'readlink', 'stat ', 'find ', 'xargs', 'getconf', 'ls ']) {
      // As a command: at the start of a line or after a pipe.
      expect(PROBE_SCRIPT, tool).not.toMatch(new RegExp(`(^|\\n|\\|)\\s*${tool}`));
    }
  });

  it.each(POSIX_SHELLS)('parses under $name (sh -n)', ({ command }) => {
    for (const script of [PROBE_SCRIPT, PROBE_SCRIPT_WITH_IDENTITY]) {
      const run = runProbeScript(script, { shell: [...command, '-n'] });
      expect(run).toMatchObject({ status: 0, stderr: '' });
    }
  });

  it('prints the same bytes under every shell, given as an argument or on standard input', () => {
    const root = nodeExporterRoot;
    const pathPrefix = busyboxDf;
    const runs = [
      ...POSIX_SHELLS.map(({ name, command }) => ({
        name,
        run: runProbeScript(PROBE_SCRIPT_WITH_IDENTITY, { shell: command, root, pathPrefix }),
      })),
      {
        name: 'busybox sh -s',
        run: runProbeScript(PROBE_SCRIPT_WITH_IDENTITY, {
          shell: ['busybox', 'sh'],
          root,
          pathPrefix,
          via: 'stdin',
        }),
      },
    ];
    const [first] = runs;
    for (const { name, run } of runs) {
      expect(run.stderr, name).toBe('');
      expect(run.status, name).toBe(0);
      expect(run.stdout, name).toBe(first?.run.stdout);
    }
  });

  describe("on node_exporter's /proc and /sys trees, under busybox sh", () => {
    const run = runProbeScript(PROBE_SCRIPT_WITH_IDENTITY, {
      root: nodeExporterRoot,
      pathPrefix: coreutilsDf,
    });
    const sections = parseProbeOutput(run.stdout);
    const proc = (file: string) => readFileSync(path.join(procTrees.nodeExporter, file), 'utf8');
    const sys = (file: string) => readFileSync(path.join(nodeExporterSys, file), 'utf8');

    it('prints each procfs file whole, and the mount table of pid 1', () => {
      expect(run.stderr).toBe('');
      for (const file of ['stat', 'meminfo', 'loadavg', 'diskstats', 'cpuinfo']) {
        expect(sections.get(file), file).toBe(proc(file));
      }
      expect(sections.get('mountinfo')).toBe(proc('1/mountinfo'));
      expect(sections.has('mounts')).toBe(false);
      expect(sections.has('partitions')).toBe(false);
    });

    it('leaves out what the tree does not have, without an error', () => {
      for (const missing of ['net-dev', 'uptime', 'min-free-kbytes', 'hostname', 'os-release', 'dt-model']) {
        expect(sections.has(missing), missing).toBe(false);
      }
    });

    it('prints hwmon sensor files one by one, and where each chip’s device link points', () => {
      const chips = [...sections.keys()].filter((key) => /^hwmon\/[^/]+$/.test(key));
      expect(chips.sort()).toEqual(
        readdirSync(path.join(nodeExporterSys, 'class/hwmon'))
          .map((chip) => `hwmon/${chip}`)
          .sort(),
      );
      expect(sections.get('hwmon/hwmon0/name')).toBe(sys('class/hwmon/hwmon0/name'));
      expect(sections.get('hwmon/hwmon0/temp1_input')).toBe(sys('class/hwmon/hwmon0/temp1_input'));
      expect(sections.get('hwmon/hwmon0/device')).toBe(
        `${realpathSync(path.join(nodeExporterSys, 'class/hwmon/hwmon0/device'))}\n`,
      );
      // applesmc keeps its sensors in device/.
      const applesmc = [...sections.keys()].filter((key) => key.startsWith('hwmon/hwmon2/device/'));
      expect(applesmc.length).toBeGreaterThan(10);
      // Not a sensor type, not read; `uevent` and `subsystem` neither.
      expect([...sections.keys()].filter((key) => /\/(uevent|subsystem|power)$/.test(key))).toEqual([]);
    });

    it('prints thermal zones and cooling devices, and the power supplies for the inventory', () => {
      expect(sections.get('thermal/thermal_zone0/temp')).toBe(sys('class/thermal/thermal_zone0/temp'));
      expect(sections.get('thermal/cooling_device0/max_state')).toBe(
        sys('class/thermal/cooling_device0/max_state'),
      );
      expect(sections.get('power-supply/BAT0/type')).toBe('Battery\n');
    });

    it('prints df -Pk and this machine’s uname, each field apart', async () => {
      expect(sections.get('df')).toBe(await readFile(RECORDED_DF.coreutils, 'utf8'));
      expect(sections.get('uname-s')).toBe('Linux\n');
      expect(sections.get('uname-m')?.trim()).toMatch(/^\S+$/);
      expect(sections.get('uname-v')?.trim()).not.toBe('');
    });
  });

  it('prints the identity sections only when asked', () => {
    const keys = [
      ...parseProbeOutput(runProbeScript(PROBE_SCRIPT, { root: nodeExporterRoot }).stdout).keys(),
    ];
    expect(keys).toContain('stat');
    expect(keys.filter((key) => /^(identity|cpuinfo|uname|power-supply)/.test(key))).toEqual([]);
  });

  it.each(POSIX_SHELLS)(
    'reads a 2.4 tree under $name: /proc/partitions, /proc/mounts, no sysfs',
    async ({ command }) => {
      const pentium2 = (file: string) => readFileSync(capturePath('linux-2.4-pentium2', file), 'utf8');
      const mounts = readFileSync(capturePath('vm-6.18', 'proc-mounts'), 'utf8');
      const root = await tempTree('probe-24', {
        'proc/stat': pentium2('stat'),
        'proc/meminfo': pentium2('meminfo'),
        'proc/partitions': pentium2('partitions'),
        'proc/cpuinfo': pentium2('cpuinfo'),
        'proc/mounts': mounts,
        // A file that does not end in a newline keeps its bytes.
        'proc/loadavg': '0.00 0.01 0.05 1/45 321',
      });
      const run = runProbeScript(PROBE_SCRIPT_WITH_IDENTITY, { shell: command, root, pathPrefix: busyboxDf });
      expect(run).toMatchObject({ status: 0, stderr: '' });
      const sections = parseProbeOutput(run.stdout);
      expect(sections.get('partitions')).toBe(pentium2('partitions'));
      expect(sections.get('mounts')).toBe(mounts);
      expect(sections.get('meminfo')).toBe(pentium2('meminfo'));
      expect(sections.get('loadavg')).toBe('0.00 0.01 0.05 1/45 321');
      expect([...sections.keys()].filter((key) => /^(diskstats|mountinfo|hwmon|thermal)/.test(key))).toEqual(
        [],
      );
    },
  );

  it('reads the Pentium 4 capture, which has nothing but cpuinfo, without a word on stderr', () => {
    const root = path.dirname(procTrees.pentium4);
    const run = runProbeScript(PROBE_SCRIPT_WITH_IDENTITY, { root });
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const sections = parseProbeOutput(run.stdout);
    expect(sections.get('cpuinfo')).toBe(readFileSync(path.join(procTrees.pentium4, 'cpuinfo'), 'utf8'));
    expect([...sections.keys()].filter((key) => !/^(uname-|df$)/.test(key))).toEqual([
      'begin',
      'identity',
      'cpuinfo',
      'end',
    ]);
  });
});
