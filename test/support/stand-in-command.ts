import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './fixtures.ts';

export interface StandIn {
  bin: string;
  /** How many times the code under test ran it. */
  runs(): Promise<number>;
}

/**
 * A stand-in for a command the machine lacks (vcgencmd off a Raspberry Pi): a shell script that records
 * each run, checks it was given exactly `args` (an argument array, never a shell line), then runs
 * `body`, which replays captured output.
 */
export async function standInCommand(name: string, args: string[], body: string): Promise<StandIn> {
  const dir = await tempDir(name);
  const bin = path.join(dir, name);
  const log = path.join(dir, 'runs');
  const check = [`[ "$#" = ${args.length} ]`, ...args.map((a, i) => `[ "$${i + 1}" = '${a}' ]`)].join(' && ');
  await writeFile(bin, `#!/bin/sh\necho run >> '${log}'\n${check} || exit 64\n${body}\n`);
  await chmod(bin, 0o755);
  return {
    bin,
    runs: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length,
  };
}
