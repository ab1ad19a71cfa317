import { describe, expect, it } from 'vitest';
import { EXPECTED_CHECKSUM, ITERATIONS_PER_RUN, measureSpeedScore, runKernel } from './speed-score.ts';

describe('speed score', () => {
  it('does the same work on every machine (deterministic checksum)', () => {
    expect(runKernel(ITERATIONS_PER_RUN)).toBe(EXPECTED_CHECKSUM);
    expect(runKernel(1000)).not.toBe(EXPECTED_CHECKSUM);
  });

  it('reports the best of the requested runs', async () => {
    const result = await measureSpeedScore(2);
    expect(result.runs).toBe(2);
    expect(result.score).toBeCloseTo(ITERATIONS_PER_RUN / result.bestRunSeconds / 1e6, 6);
  });
});
