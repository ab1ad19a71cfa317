import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/fixtures.ts';
import { ROOT } from './files.ts';

const DIR = path.join(ROOT, 'deploy', 'systemd');
const UNITS = readdirSync(DIR).filter((f) => /\.(service|timer)$/.test(f));
const SERVICES = UNITS.filter((f) => f.endsWith('.service'));
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const HAS_SYSTEMD = existsSync(SYSTEMD_ANALYZE);

function run(command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd: DIR, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** `Key=value` lines of a unit's [Service] section. */
function serviceSettings(unit: string): Map<string, string> {
  const text = readFileSync(path.join(DIR, unit), 'utf8');
  const section = text.slice(text.indexOf('[Service]'), text.indexOf('[Install]') >>> 0);
  return new Map(
    section
      .split('\n')
      .filter((l) => /^[A-Za-z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('deploy/systemd units', () => {
  it('are the agent, collector, probe and the weekly report with its timer', () => {
    expect(UNITS.sort()).toEqual([
      'tierwise-agent.service',
      'tierwise-collector.service',
      'tierwise-probe.service',
      'tierwise-report.service',
      'tierwise-report.timer',
    ]);
  });

  // Debian's systemd ships systemd-analyze; a machine without systemd has nothing to check them with.
  it.runIf(HAS_SYSTEMD)('pass systemd-analyze verify without a warning', () => {
    const r = run(SYSTEMD_ANALYZE, ['verify', '--man=no', ...UNITS.map((u) => `./${u}`)]);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it.runIf(HAS_SYSTEMD)('are each rated below 4.0 ("OK") by systemd-analyze security', () => {
    for (const unit of SERVICES) {
      const r = run(SYSTEMD_ANALYZE, [
        'security',
        '--offline=yes',
        '--threshold=40',
        '--no-pager',
        `./${unit}`,
      ]);
      expect(r.status, `${unit}\n${r.output.split('\n').slice(-2).join('\n')}`).toBe(0);
    }
  });

  it('run as tierwise, read-only, without new privileges; only the agent holds a capability', () => {
    for (const unit of SERVICES) {
      const s = serviceSettings(unit);
      expect(s.get('User'), unit).toBe('tierwise');
      expect(s.get('NoNewPrivileges'), unit).toBe('yes');
      expect(s.get('ProtectSystem'), unit).toBe('strict');
      expect(s.get('ReadOnlyPaths'), unit).toBe('/');
      const capabilities = unit === 'tierwise-agent.service' ? 'CAP_DAC_READ_SEARCH' : '';
      expect(s.get('CapabilityBoundingSet'), unit).toBe(capabilities);
      expect(s.get('AmbientCapabilities'), unit).toBe(capabilities);
    }
  });
});

describe('deploy/systemd/install.sh', () => {
  const script = path.join(DIR, 'install.sh');

  it('is POSIX sh, as dash and bash --posix read it', () => {
    for (const [shell, flags] of [
      ['dash', ['-n']],
      ['bash', ['--posix', '-n']],
    ] as const)
      for (const file of ['install.sh', 'remote-install.sh']) {
        const r = run(shell, [...flags, file]);
        expect(r.status, `${shell} ${file}: ${r.output}`).toBe(0);
      }
  });

  it('copies every unit in the directory', () => {
    const text = readFileSync(script, 'utf8');
    for (const unit of UNITS) expect(text).toContain(`$here/${unit}`);
  });

  it('refuses a host, port or unit that ssh or a shell could read as more, before connecting', async () => {
    const marker = path.join(await tempDir('install-sh'), 'ran');
    const attempts: [string[], RegExp][] = [
      [[`-oProxyCommand=touch ${marker}`, 'agent'], /Illegal option|usage/],
      [['--', `-oProxyCommand=touch ${marker}`, 'agent'], /not a user@host/],
      [['pi@host;touch', 'agent'], /not a user@host/],
      [['pi@host:/etc', 'agent'], /not a user@host/],
      [['pi@$(touch)', 'agent'], /not a user@host/],
      [['pi@host', 'agent;reboot'], /unknown unit/],
      [['pi@host', '--', 'agent'], /unknown unit/],
      [['-p', '22 -oProxyCommand=x', 'pi@host', 'agent'], /not a port/],
      [['pi@host'], /usage/],
    ];
    for (const [args, message] of attempts) {
      const r = run('sh', [script, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.output, args.join(' ')).toMatch(message);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
