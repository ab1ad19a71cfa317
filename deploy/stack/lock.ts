import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Another stack runs on the data directory; the message names its pid. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export interface DataDirLock {
  file: string;
  /** Synchronous, so it can run in an 'exit' handler too; releasing twice is harmless. */
  release(): void;
}

/**
 * Claims the data directory with a pid file (stack.pid). Two Prometheus on one TSDB corrupt it (Debian's
 * 2.42 panics rather than refusing), and two stacks would rewrite each other's config, so the second
 * stack stops here. A pid file whose process is gone, or is no tierwise stack, is stale and replaced.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'stack.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return { file, release: () => releaseIfOurs(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder !== process.pid && (await isStack(holder)))
      throw new DataDirInUseError(
        `${dataDir} is in use by another tierwise stack (pid ${holder}); stop it first, or give this one another --data-dir`,
      );
    await unlink(file).catch(() => undefined);
  }
  throw new DataDirInUseError(`${dataDir}: another tierwise stack claimed it at the same moment`);
}

async function isStack(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it runs, as another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid reused after a reboot belongs to some other program; without /proc, assume the worst.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || cmdline.split('\0').includes('stack');
}

function releaseIfOurs(file: string): void {
  try {
    if (Number.parseInt(readFileSync(file, 'utf8'), 10) === process.pid) unlinkSync(file);
  } catch {
    // Already gone.
  }
}
