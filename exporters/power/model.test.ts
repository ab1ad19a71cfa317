import { describe, expect, it } from 'vitest';
import { modelWatts } from './model.ts';
import { BUILT_IN_PROFILES, profileForPiModel } from './profiles.ts';

describe('modelWatts', () => {
  it('is idle at 0, max at 1 and linear between without a curve', () => {
    const pi5 = BUILT_IN_PROFILES['rpi-5'];
    if (!pi5) throw new Error('no rpi-5 profile');
    expect(modelWatts(pi5, 0)).toBe(2.8);
    expect(modelWatts(pi5, 1)).toBe(9.7);
    expect(modelWatts(pi5, 0.5)).toBeCloseTo(6.25, 9);
    expect(modelWatts(pi5, 1.7)).toBe(9.7); // clamped
  });

  it('follows a SPECpower curve through its measured points', () => {
    const r240 = BUILT_IN_PROFILES['small-server'];
    if (!r240) throw new Error('no small-server profile');
    // The R240's measured averages at 50 % and 90 % load, and half-way between 50 and 60 %.
    expect(modelWatts(r240, 0.5)).toBeCloseTo(41.7, 9);
    expect(modelWatts(r240, 0.9)).toBeCloseTo(81, 9);
    expect(modelWatts(r240, 0.55)).toBeCloseTo((41.7 + 47.5) / 2, 9);
  });

  it('every built-in profile names its source and has idle below max', () => {
    for (const [name, p] of Object.entries(BUILT_IN_PROFILES)) {
      expect(p.source, name).toMatch(/profiles\.csv #\d+/);
      expect(p.idleWatts, name).toBeLessThan(p.maxWatts);
    }
  });
});

describe('profileForPiModel', () => {
  it.each([
    ['Raspberry Pi 5 Model B Rev 1.0', 'rpi-5'],
    ['Raspberry Pi 4 Model B Rev 1.4', 'rpi-4b'],
    ['Raspberry Pi 3 Model B Plus Rev 1.3', 'rpi-3b-plus'],
    ['Raspberry Pi 3 Model B+', 'rpi-3b-plus'], // upstream device tree (observed_model_strings.tsv)
    ['Raspberry Pi Zero 2 W Rev 1.0', 'rpi-zero-2'],
    ['Raspberry Pi 3 Model B Rev 1.2', undefined],
  ])('%s', (model, want) => {
    expect(profileForPiModel(model)).toBe(want);
  });
});
