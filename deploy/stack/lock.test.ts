import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/fixtures.ts';
import { DataDirInUseError, lockDataDir } from './lock.ts';

const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGKILL');
});

/** A process whose command line is `node -e … <args>`, like a running `tierwise stack` when args has 'stack'. */
async function processWith(args: string[]): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], { stdio: 'ignore' });
  running.push(child);
  await new Promise((r) => child.once('spawn', r));
  return child.pid as number;
}

describe('the data directory lock', () => {
  it('refuses a directory another stack holds, naming its pid', async () => {
    const dir = await tempDir('stack-lock');
    const other = await processWith(['stack', '--data-dir', dir]);
    await writeFile(path.join(dir, 'stack.pid'), `${other}\n`);
    const err = await lockDataDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirInUseError);
    expect((err as Error).message).toBe(
      `${dir} is in use by another tierwise stack (pid ${other}); stop it first, or give this one another --data-dir`,
    );
  });

  it('takes over from a stack that is gone, or a pid now used by another program', async () => {
    const dir = await tempDir('stack-lock');
    const file = path.join(dir, 'stack.pid');
    const notAStack = await processWith(['agent']);
    for (const stale of ['999999999', String(notAStack), 'garbage']) {
      await writeFile(file, `${stale}\n`);
      const lock = await lockDataDir(dir);
      expect(await readFile(file, 'utf8')).toBe(`${process.pid}\n`);
      lock.release();
      await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    }
  });

  it("creates the directory, and releasing leaves another stack's file alone", async () => {
    const dir = path.join(await tempDir('stack-lock'), 'new', 'data');
    const lock = await lockDataDir(dir);
    await writeFile(lock.file, '12345\n');
    lock.release();
    expect(await readFile(lock.file, 'utf8')).toBe('12345\n');
  });
});
