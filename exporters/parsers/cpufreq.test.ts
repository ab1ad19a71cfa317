import { describe, expect, it } from 'vitest';
import { parseCpuList, parseGovernors, parseKilohertz } from './cpufreq.ts';

describe('parseKilohertz', () => {
  it('converts kHz to hertz', () => {
    expect(parseKilohertz('1699981\n', 'scaling_cur_freq')).toBe(1_699_981_000);
  });

  it('returns undefined when the driver cannot read the frequency', () => {
    expect(parseKilohertz('<unknown>\n', 'cpuinfo_cur_freq')).toBeUndefined();
  });

  it('throws on an empty file or text that is not a number', () => {
    expect(() => parseKilohertz('', 'scaling_max_freq')).toThrow(
      'scaling_max_freq: expected an unsigned integer',
    );
    expect(() => parseKilohertz('1.5e6\n', 'scaling_max_freq')).toThrow('expected an unsigned integer');
  });
});

describe('parseCpuList', () => {
  it('expands ranges and single CPUs', () => {
    expect([...parseCpuList('0-2,8,10-11\n')]).toEqual([0, 1, 2, 8, 10, 11]);
  });

  it('reads an empty list (no offline CPUs) as empty', () => {
    expect(parseCpuList('\n').size).toBe(0);
    expect(parseCpuList('').size).toBe(0);
  });

  it('throws on anything else', () => {
    expect(() => parseCpuList('1,x\n')).toThrow('"x" is not a CPU number or range');
  });
});

describe('parseGovernors', () => {
  it('splits the list', () => {
    expect(parseGovernors('performance powersave \n')).toEqual(['performance', 'powersave']);
    expect(parseGovernors('\n')).toEqual([]);
  });
});
