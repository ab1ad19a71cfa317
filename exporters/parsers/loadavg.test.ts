import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { parseLoadavg } from './loadavg.ts';

describe('parseLoadavg', () => {
  it('reads the three averages', () => {
    expect(parseLoadavg(readFixture('proc-sys/node_exporter__proc/loadavg'))).toEqual({
      load1: 0.21,
      load5: 0.37,
      load15: 0.39,
    });
    expect(parseLoadavg(readFixture('proc-sys/x86-intel-i7-8650u__procfs/proc/loadavg'))).toEqual({
      load1: 0.02,
      load5: 0.04,
      load15: 0.05,
    });
  });

  it('accepts a line without its newline', () => {
    expect(parseLoadavg('1.00 2.50 13.75 3/100 42').load15).toBe(13.75);
  });

  it('throws on an empty file, missing averages or a field that is not a decimal', () => {
    expect(() => parseLoadavg('')).toThrow('expected 3 load averages');
    expect(() => parseLoadavg('0.21 0.37\n')).toThrow('expected 3 load averages');
    expect(() => parseLoadavg('0.21 nan 0.39 1/2 3\n')).toThrow('"nan" is not a load average');
  });
});
