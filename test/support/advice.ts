import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Advice, advise } from '../../collector/advisor/advice.ts';
import { loadScenario } from '../../collector/advisor/scenario-file.ts';
import { bundle, repoRoot } from './agent-process.ts';

export const WHAT_IF_EXAMPLE = path.join(repoRoot, 'examples/scenario-what-if.json');

/** The real engine's answer for examples/scenario-what-if.json, for tests of what shows it. */
export async function exampleAdvice(now = new Date('2026-03-03T00:05:00Z')): Promise<Advice> {
  const scenario = await loadScenario(WHAT_IF_EXAMPLE);
  return advise({ scenario, source: { kind: 'scenario', file: 'examples/scenario-what-if.json' }, now });
}

/**
 * `tierwise advise --prometheus <url> --json` from the bundle, with more flags; what it printed as JSON.
 * Anything on stderr fails the caller's expectation: a clean run prints nothing there.
 */
export async function adviseJson(url: string, flags: string[]): Promise<{ advice: Advice; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [bundle, 'advise', '--prometheus', url, ...flags, '--json'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { advice: JSON.parse(stdout) as Advice, stderr };
}
