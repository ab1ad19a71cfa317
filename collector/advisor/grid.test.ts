import { describe, expect, it } from 'vitest';
import { samplesToJson as json, samplesFromJson as samples } from '../../cost/scenario.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { addSeries, coverage, emptySeries, gridEndingAt, putOnGrid, quantile } from './grid.ts';

describe('the time grid', () => {
  it('ends on a multiple of the step, as VictoriaMetrics aligns range queries', () => {
    expect(gridEndingAt(1_000_123, 3600, 300)).toEqual({ start: 996_300, stepSeconds: 300, points: 12 });
  });

  it('places each sample on its step; no data, NaN and points off the grid stay no data (NaN)', () => {
    const g = { start: 1000, stepSeconds: 10, points: 4 };
    const s = emptySeries(g);
    putOnGrid(g, s, [
      [1000, '1'],
      [1021, '2.5'], // a server's float timestamp rounds to its step
      [1030, 'NaN'],
      [1040, '9'], // past the grid
    ]);
    expect(json(s)).toEqual([1, null, 2.5, null]);
    // A later chunk of the same series fills its own points and leaves the rest.
    putOnGrid(g, s, [[1010, '4']]);
    expect(json(s)).toEqual([1, 4, 2.5, null]);
    s[1] = Number.NaN;
    expect(coverage(s)).toBe(0.5);
    expect(json(addSeries(s, samples([null, 1, 1, null])))).toEqual([1, 1, 3.5, null]);
  });

  it('takes quantiles by linear interpolation', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 12);
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([], 0.5)).toBeUndefined();
  });

  it('reads and writes durations', () => {
    expect(parseDuration('7d')).toBe(604800);
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('0d')).toBeUndefined();
    expect(parseDuration('1y')).toBeUndefined();
    expect(formatDuration(604800)).toBe('7d');
    expect(formatDuration(2 * 86400)).toBe('2d');
    expect(formatDuration(90)).toBe('90s');
  });
});
