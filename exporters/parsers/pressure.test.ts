import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { parsePressure } from './pressure.ts';

describe('parsePressure', () => {
  it('reads the some and full totals in seconds, bit-identical to node_exporter', () => {
    expect(parsePressure(readFixture('proc-sys/node_exporter__proc/pressure/cpu'), 'cpu')).toEqual({
      some: 14.036781000000001,
      full: 0,
    });
    expect(parsePressure(readFixture('proc-sys/node_exporter__proc/pressure/io'), 'io')).toEqual({
      some: 159.886802,
      full: 159.229614,
    });
  });

  it('reads irq, which has only a full line (and here no final newline)', () => {
    expect(parsePressure(readFixture('proc-sys/node_exporter__proc/pressure/irq'), 'irq')).toEqual({
      full: 0.008494,
    });
  });

  it('reads a kernel whose cpu file has only a some line (i7 capture)', () => {
    const totals = parsePressure(readFixture('proc-sys/x86-intel-i7-8650u__procfs/proc/pressure/cpu'), 'cpu');
    expect(totals.some).toBeCloseTo(15e-6, 15);
    expect(totals.full).toBeUndefined();
  });

  it('ignores lines of other kinds', () => {
    expect(parsePressure('some total=1000000\nother total=5\n', 'io')).toEqual({ some: 1 });
  });

  it('throws on an empty file or a line without a total', () => {
    expect(() => parsePressure('', 'memory')).toThrow('/proc/pressure/memory: no "some" or "full" line');
    expect(() => parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 tot', 'io')).toThrow(
      '/proc/pressure/io: no total',
    );
    expect(() => parsePressure('some avg10=0.00 total=-3\n', 'io')).toThrow('no total');
  });
});
