import path from 'node:path';
import { type Advice, advise } from '../../collector/advisor/advice.ts';
import { loadScenario } from '../../collector/advisor/scenario-file.ts';
import { repoRoot } from './agent-process.ts';

export const WHAT_IF_EXAMPLE = path.join(repoRoot, 'examples/scenario-what-if.json');

/** The real engine's answer for examples/scenario-what-if.json, for tests of what shows it. */
export async function exampleAdvice(now = new Date('2026-03-03T00:05:00Z')): Promise<Advice> {
  const scenario = await loadScenario(WHAT_IF_EXAMPLE);
  return advise({ scenario, source: { kind: 'scenario', file: 'examples/scenario-what-if.json' }, now });
}
