import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { parseMeminfo } from './meminfo.ts';

describe('parseMeminfo', () => {
  it('names fields as node_exporter does: kB → bytes with _bytes, parentheses → _, counts unchanged', () => {
    const entries = parseMeminfo(readFixture('proc-sys/node_exporter__proc/meminfo'));
    expect(entries).toHaveLength(42);
    expect(entries[0]).toEqual({ key: 'MemTotal_bytes', value: 3742148 * 1024 });
    const byKey = new Map(entries.map((e) => [e.key, e.value]));
    expect(byKey.get('Active_anon_bytes')).toBe(2020004 * 1024);
    expect(byKey.get('Inactive_file_bytes')).toBe(145676 * 1024);
    expect(byKey.get('VmallocTotal_bytes')).toBe(34359738367 * 1024);
    expect(byKey.get('HugePages_Total')).toBe(0);
    expect(byKey.get('Hugepagesize_bytes')).toBe(2048 * 1024);
  });

  it('keeps fields newer kernels add (Zswap, Percpu on the i7 capture)', () => {
    const byKey = new Map(
      parseMeminfo(readFixture('proc-sys/x86-intel-i7-8650u__procfs/proc/meminfo')).map((e) => [
        e.key,
        e.value,
      ]),
    );
    expect(byKey.get('Zswap_bytes')).toBe(22414 * 1024);
    expect(byKey.get('Percpu_bytes')).toBe(26176 * 1024);
  });

  it('skips blank lines and sanitises odd characters in a key', () => {
    expect(parseMeminfo('MemTotal: 1 kB\n\nFoo-Bar(x y): 3\n')).toEqual([
      { key: 'MemTotal_bytes', value: 1024 },
      { key: 'Foo_Bar_x_y', value: 3 },
    ]);
  });

  it('throws on an empty, truncated or malformed file', () => {
    expect(() => parseMeminfo('')).toThrow('/proc/meminfo: the file is empty');
    expect(() => parseMeminfo('\n\n')).toThrow('/proc/meminfo: no fields');
    // Cut before " kB": read leniently this would be a count named MemTotal, 1024 times too small.
    expect(() => parseMeminfo('MemFree: 225472 kB\nMemTotal:        3742148')).toThrow('truncated');
    expect(() => parseMeminfo('MemTotal: 1 MB\n')).toThrow('malformed line');
    expect(() => parseMeminfo('MemTotal 1 kB\n')).toThrow('malformed line');
    expect(() => parseMeminfo('MemTotal: -1 kB\n')).toThrow('expected an unsigned integer');
  });
});
