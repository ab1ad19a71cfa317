import { describe, expect, it } from 'vitest';
import { FamilyBuilder } from '../metrics.ts';
import { addNodePower, type PowerSource } from './series.ts';
import { powerSourceInfo } from './source-info.ts';

function scrapeWith(...sources: PowerSource[]) {
  const b = new FamilyBuilder();
  for (const source of sources) addNodePower(b, source, { watts: 10 });
  return b.build();
}

describe('powerSourceInfo', () => {
  it.each<[PowerSource[], string]>([
    [['rapl', 'model', 'gpu'], 'model'],
    [['rapl', 'plug'], 'plug'],
    [['pmic', 'model'], 'pmic'],
    [['battery', 'rapl'], 'battery'],
    [['rapl', 'gpu'], 'rapl'],
  ])('%j → %s', (sources, best) => {
    expect(powerSourceInfo(scrapeWith(...sources))?.samples).toEqual([
      { labels: { source: best }, value: 1 },
    ]);
  });

  it('says nothing when only a component (GPU) or nothing reported', () => {
    expect(powerSourceInfo(scrapeWith('gpu'))).toBeUndefined();
    expect(powerSourceInfo([])).toBeUndefined();
  });
});
