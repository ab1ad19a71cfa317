import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { CPU_MODES, type ProcStat, parseProcStat } from './proc-stat.ts';

const NODE_EXPORTER_STAT = readFixture('proc-sys/node_exporter__proc/stat');

/** Every number in a parse result, to show that none is NaN or infinite. */
function allValues(stat: ProcStat): number[] {
  const { total, cpus, ...counters } = stat;
  return [total, ...cpus.values()].flatMap((times) => Object.values(times)).concat(Object.values(counters));
}

describe('parseProcStat', () => {
  it("reads node_exporter's fixture: per-CPU and total seconds per mode, and the counters", () => {
    const stat = parseProcStat(NODE_EXPORTER_STAT);
    expect([...stat.cpus.keys()]).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(stat.total).toEqual({
      user: 3018.54,
      nice: 6.12,
      system: 1119.22,
      idle: 89790.04,
      iowait: 35.52,
      irq: 0.02,
      softirq: 39.44,
      steal: 0,
      guest: 0.44,
      guest_nice: 0.36,
    });
    expect(stat.cpus.get('0')).toMatchObject({ user: 444.9, idle: 10870.69, guest: 0.02, guest_nice: 0.01 });
    expect(stat).toMatchObject({
      interrupts: 8885917,
      contextSwitches: 38014093,
      bootTime: 1418183276,
      forks: 26442,
      procsRunning: 2,
      procsBlocked: 0,
    });
  });

  it('reads the i7-8650U capture', () => {
    const stat = parseProcStat(readFixture('proc-sys/x86-intel-i7-8650u__procfs/proc/stat'));
    expect(stat.cpus.size).toBe(8);
    expect(stat.cpus.get('7')).toMatchObject({ user: 290.98, guest: 0, guest_nice: 0 });
    expect(stat.interrupts).toBe(73777505);
    expect(stat.procsBlocked).toBe(1);
  });

  describe('old kernels print fewer columns; the missing modes are absent, not 0', () => {
    const cases: Array<[kernel: string, columns: string, modes: number]> = [
      ['2.4', '100 2 30 400', 4],
      ['2.6.9', '100 2 30 400 5 6 7', 7],
      ['2.6.18', '100 2 30 400 5 6 7 8', 8],
      ['2.6.32', '100 2 30 400 5 6 7 8 9', 9],
      ['3.10', '100 2 30 400 5 6 7 8 9 10', 10],
    ];
    it.each(cases)('Linux %s: %s', (_kernel, columns, modes) => {
      const stat = parseProcStat(`cpu  ${columns}\ncpu0 ${columns}\nctxt 1\nbtime 2\nprocesses 3\n`);
      expect(Object.keys(stat.total)).toEqual(CPU_MODES.slice(0, modes));
      expect(stat.cpus.get('0')).toEqual(stat.total);
      expect(stat.total.user).toBe(1);
    });

    it('a 2.4 file: page/swap/disk_io lines are skipped and there are no procs_* lines', () => {
      const stat = parseProcStat(
        [
          'cpu  1764 0 1018 96356',
          'cpu0 1764 0 1018 96356',
          'page 56233 12419',
          'swap 1 0',
          'intr 103017 99138 3 0 0 2 0 3 0 1 0 0 0 3871 0 0 0',
          'disk_io: (3,0):(3574,2780,55274,794,24824) ',
          'ctxt 116341',
          'btime 1236267562',
          'processes 1532',
          '',
        ].join('\n'),
      );
      expect(stat.total).toEqual({ user: 17.64, nice: 0, system: 10.18, idle: 963.56 });
      expect(stat).toMatchObject({
        interrupts: 103017,
        contextSwitches: 116341,
        bootTime: 1236267562,
        forks: 1532,
      });
      expect(stat.procsRunning).toBeUndefined();
      expect(stat.procsBlocked).toBeUndefined();
    });

    it('ignores columns a future kernel may add after guest_nice', () => {
      const stat = parseProcStat('cpu  1 2 3 4 5 6 7 8 9 10 11\n');
      expect(Object.keys(stat.total)).toEqual([...CPU_MODES]);
    });
  });

  describe('a damaged file throws instead of yielding wrong or NaN values', () => {
    it('rejects an empty file', () => {
      expect(() => parseProcStat('')).toThrow('/proc/stat: the file is empty');
      expect(() => parseProcStat('\n')).toThrow('no aggregate "cpu" line');
    });

    it('rejects a file cut mid-line, which the kernel never produces', () => {
      // Read leniently, this would be a 2.4-style cpu0 line with idle 10.87 s instead of 10870.69 s.
      const cut = NODE_EXPORTER_STAT.slice(0, NODE_EXPORTER_STAT.indexOf('1087069') + 4);
      expect(() => parseProcStat(cut)).toThrow(
        /truncated, the last line has no newline: ".*cpu0 44490 19 21045 1087"$/,
      );
    });

    it('rejects a cut intr line', () => {
      expect(() =>
        parseProcStat(NODE_EXPORTER_STAT.slice(0, NODE_EXPORTER_STAT.indexOf('ctxt') - 200)),
      ).toThrow(/truncated/);
    });

    it('at every cut position it either throws or returns only finite numbers', () => {
      const head = NODE_EXPORTER_STAT.slice(0, NODE_EXPORTER_STAT.indexOf('intr'));
      const text = `${head}ctxt 38014093\nbtime 1418183276\nprocesses 26442\nprocs_running 2\nprocs_blocked 0\n`;
      let parsed = 0;
      for (let end = 0; end <= text.length; end++) {
        let stat: ProcStat;
        try {
          stat = parseProcStat(text.slice(0, end));
        } catch {
          continue;
        }
        parsed++;
        for (const value of allValues(stat)) expect(Number.isFinite(value)).toBe(true);
      }
      // Only cuts right after a newline parse: one per line of the text.
      expect(parsed).toBe(text.split('\n').length - 1);
    });

    it('rejects a cpu line with fewer than 4 columns and a value that is not a number', () => {
      expect(() => parseProcStat('cpu  1 2 3\n')).toThrow('/proc/stat cpu: expected at least 4 columns');
      expect(() => parseProcStat('cpu  1 2 x 4\n')).toThrow(
        '/proc/stat cpu system: expected an unsigned integer',
      );
      expect(() => parseProcStat('cpu  1 2 3 4\nctxt -5\n')).toThrow('/proc/stat ctxt');
    });
  });
});
