import { describe, expect, it } from 'vitest';
import { hasIdentity, identitySections, ProbeOutputError, parseProbeOutput } from './output.ts';

/** Output as the script prints it: the script's newline, then the marker, before every section. */
function output(...sections: Array<[key: string, text: string]>): string {
  return sections.map(([key, text]) => `\n@@tierwise:${key}@@\n${text}`).join('');
}

const BEGIN: [string, string] = ['begin', '1\n'];
const END: [string, string] = ['end', ''];
const LOADAVG = '0.21 0.37 0.39 1/719 19737\n';

function failure(text: string): ProbeOutputError {
  try {
    parseProbeOutput(text);
  } catch (err) {
    if (err instanceof ProbeOutputError) return err;
    throw err;
  }
  throw new Error('expected a ProbeOutputError');
}

describe('parseProbeOutput', () => {
  it('returns each section exactly as printed, a missing final newline included', () => {
    const sections = parseProbeOutput(
      output(BEGIN, ['loadavg', LOADAVG], ['hwmon', ''], ['hwmon/hwmon0/temp1_input', '45000'], END),
    );
    expect([...sections]).toEqual([
      ['begin', '1\n'],
      ['loadavg', LOADAVG],
      ['hwmon', ''],
      ['hwmon/hwmon0/temp1_input', '45000'],
      ['end', ''],
    ]);
  });

  it('ignores what a shell profile printed before the begin marker', () => {
    const sections = parseProbeOutput(`Welcome to OpenWrt\n${output(BEGIN, ['loadavg', LOADAVG], END)}`);
    expect(sections.get('loadavg')).toBe(LOADAVG);
  });

  it('detects output that was cut off: no end marker', () => {
    const full = output(BEGIN, ['stat', 'cpu  1 2 3 4\n'], ['loadavg', LOADAVG], END);
    const cut = full.slice(0, full.indexOf('0.37'));
    const err = failure(cut);
    expect(err.kind).toBe('truncated');
    expect(err.message).toMatch(/section "loadavg" without the end marker/);
    // Cut inside the end marker itself.
    expect(failure(full.slice(0, -3)).kind).toBe('truncated');
  });

  it('detects garbage: text without a single marker', () => {
    const err = failure('sh: 1: Syntax error: "(" unexpected\n');
    expect(err.kind).toBe('garbage');
    expect(err.message).toContain('Syntax error');
    expect(failure('').kind).toBe('garbage');
    expect(failure('\u0000\u0001binary').message).toContain('..binary');
  });

  it('keeps marker-like text inside a file as content when it is not a marker line of its own', () => {
    const osRelease =
      'NAME="@@tierwise:end@@"\nPRETTY_NAME=x @@tierwise:stat@@\n@@tierwise:stat@@ trailing\n';
    const sections = parseProbeOutput(output(BEGIN, ['os-release', osRelease], END));
    expect(sections.get('os-release')).toBe(osRelease);
  });

  it('refuses a file that forges a section: out of order, repeated, unknown, or after the end', () => {
    const forged = (text: string) =>
      failure(output(BEGIN, ['meminfo', 'MemTotal: 1 kB\n'], ['df', text], END));
    // A mount point named with newlines, printed raw by BusyBox df, can hold a marker line.
    expect(forged('x\n@@tierwise:stat@@\ncpu  1 2 3 4\n').message).toMatch(/"stat" out of order/);
    expect(forged('x\n@@tierwise:df@@\n').message).toMatch(/"df" out of order or repeated/);
    expect(forged('x\n@@tierwise:nonsense@@\n').message).toMatch(/unknown section "nonsense"/);
    const afterEnd = failure(`${output(BEGIN, END)}extra\n`);
    expect(afterEnd.kind).toBe('malformed');
    expect(afterEnd.message).toMatch(/text after the end marker/);
    expect(forged('x\n@@tierwise:end@@\nmore').kind).toBe('malformed');
  });

  it('refuses output that does not start with begin, or of another format version', () => {
    expect(failure(output(['stat', ''], END)).message).toMatch(/starts with section "stat"/);
    expect(failure(output(['begin', '2\n'], END)).message).toMatch(/format "2", expected "1"/);
  });
});

describe('identitySections', () => {
  it('keeps the once-per-connection sections of an output that has them', () => {
    const sections = parseProbeOutput(
      output(
        BEGIN,
        ['loadavg', LOADAVG],
        ['identity', ''],
        ['cpuinfo', 'processor\t: 0\n'],
        ['uname-m', 'i686\n'],
        ['power-supply/AC', ''],
        ['df', 'Filesystem 1024-blocks Used Available Capacity Mounted on\n'],
        END,
      ),
    );
    expect(hasIdentity(sections)).toBe(true);
    expect([...(identitySections(sections) ?? [])].map(([key]) => key)).toEqual([
      'identity',
      'cpuinfo',
      'uname-m',
      'power-supply/AC',
    ]);
    expect(identitySections(parseProbeOutput(output(BEGIN, END)))).toBeUndefined();
  });
});
