import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const capturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'captures');

/** Captures the probe tests read (captures/SOURCES.md says where each comes from). */
export function capturePath(...parts: string[]): string {
  return path.join(capturesDir, ...parts);
}

/** Recorded `df -Pk` outputs of one VM, whose /proc/mounts is captures/vm-6.18/proc-mounts. */
export const RECORDED_DF = {
  coreutils: capturePath('vm-6.18', 'df-Pk.coreutils-9.1'),
  busybox: capturePath('vm-6.18', 'df-Pk.busybox-1.35'),
} as const;

/**
 * A directory holding a `df` that prints the recorded output in `capture` whatever it is asked: put it
 * first on PATH so that a script run against a fixture tree reports that tree's recorded sizes instead
 * of this machine's. Removed after the test file; call it where `afterAll` may be called (the top of a
 * test file or a describe block).
 */
export function fakeDfDir(capture: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tierwise-fake-df-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const df = path.join(dir, 'df');
  writeFileSync(df, `#!/bin/sh\nexec cat "${capture}"\n`);
  chmodSync(df, 0o755);
  return dir;
}
