import { type ExecFileException, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NoDataError } from '../collector.ts';

const run = promisify(execFile);

/**
 * Runs `vcgencmd <args>` (no shell) and returns what it printed. A missing binary is no data (not a
 * Raspberry Pi: `notAPi` says why); a run past `timeoutMs` is killed with SIGKILL, since a firmware
 * call stuck in the kernel ignores SIGTERM; a failure carries the exit status and the first line of
 * stderr ("VCHI initialization failed" usually means the agent's user is not in the video group).
 */
export async function runVcgencmd(
  bin: string,
  args: string[],
  timeoutMs: number,
  notAPi: string,
): Promise<string> {
  const what = `${bin} ${args.join(' ')}`;
  try {
    const { stdout } = await run(bin, args, {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as ExecFileException & { stderr?: string };
    if (e.code === 'ENOENT') throw new NoDataError(notAPi);
    if (e.killed) throw new Error(`${what} did not answer within ${timeoutMs} ms and was killed`);
    const said = e.stderr?.trim().split('\n')[0];
    throw new Error(`${what} failed (exit ${String(e.code ?? e.signal)})${said ? `: ${said}` : ''}`);
  }
}

/**
 * Shares one run among the scrapes of `cacheMs`, so a Pi Zero does not spawn a process per scrape and a
 * hung firmware call never piles up processes: a run still in flight is joined even when it is older
 * than the cache period, and a failure is cached as a result is.
 */
export function cachedRun<T>(fn: () => Promise<T>, cacheMs: number): () => Promise<T> {
  let last: { startedAt: number; settled: boolean; value: Promise<T> } | undefined;
  return () => {
    const now = performance.now();
    if (!last || (last.settled && now - last.startedAt >= cacheMs)) {
      const entry = { startedAt: now, settled: false, value: fn() };
      const settle = () => {
        entry.settled = true;
      };
      // Also marks a failure as handled: every scrape that awaits it reports it.
      entry.value.then(settle, settle);
      last = entry;
    }
    return last.value;
  };
}
