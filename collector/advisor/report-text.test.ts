import { describe, expect, it } from 'vitest';
import { exampleAdvice } from '../../test/support/advice.ts';
import { adviceText } from './report-text.ts';

describe('the readable report', () => {
  it('shows machines, workloads, moves, switch-offs and the confidence first', async () => {
    const advice = await exampleAdvice();
    const text = adviceText(advice);
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'tierwise advice from scenario examples/scenario-what-if.json (2026-03-02 00:00 – 2026-03-03 00:00 UTC, 24 h)',
    );
    expect(lines[1]).toBe('confidence: ok — data covers 100 % of the window');
    expect(text).toMatch(/^old-desktop +legacy +plug +1\.\d\d +0\.\d\d GBP/m);
    expect(text).toContain('Recommended moves');
    for (const m of advice.placement.moves)
      expect(text).toMatch(new RegExp(`^${m.workload} +${m.from} +${m.to} `, 'm'));
    expect(text).toMatch(/Machines to switch off\nmachine +saving\/week/);
  });

  it('never reads as a recommendation when confidence is low', async () => {
    const advice = await exampleAdvice();
    const text = adviceText({
      ...advice,
      confidence: 'low',
      warnings: ['power data covers only 20 % of the window'],
    });
    expect(text.split('\n')[1]).toMatch(/^CONFIDENCE: LOW — .*estimates, not a recommendation/);
    expect(text).not.toContain('Recommended moves');
    expect(text).toContain('Possible moves (LOW CONFIDENCE: check the data before acting)');
    expect(text).toContain('  ! power data covers only 20 % of the window');
  });
});
