import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** The shells the probe script must run under: BusyBox's ash, dash (Debian's sh) and bash in POSIX mode. */
export const POSIX_SHELLS: ReadonlyArray<{ name: string; command: readonly string[] }> = [
  { name: 'busybox sh', command: ['busybox', 'sh'] },
  { name: 'dash', command: ['dash'] },
  { name: 'sh', command: ['sh'] },
  { name: 'bash --posix', command: ['bash', '--posix'] },
];

export interface ProbeRun {
  stdout: string;
  stderr: string;
  status: number | null;
}

export interface ProbeRunOptions {
  /** The shell and its arguments; default BusyBox's. */
  shell?: readonly string[];
  /** TIERWISE_ROOT: the tree to read instead of /; default none (the machine's own /proc and /sys). */
  root?: string;
  /** A directory put first on PATH (a fake df). */
  pathPrefix?: string;
  /** `sh -c <script>` (default) or `sh -s` with the script on standard input. */
  via?: 'argument' | 'stdin';
}

/** Runs a probe script as the SSH probe would, locally. */
export function runProbeScript(script: string, opts: ProbeRunOptions = {}): ProbeRun {
  const [file = 'busybox', ...args] = opts.shell ?? ['busybox', 'sh'];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TIERWISE_ROOT;
  if (opts.root !== undefined) env.TIERWISE_ROOT = opts.root;
  if (opts.pathPrefix !== undefined) env.PATH = `${opts.pathPrefix}:${env.PATH ?? '/usr/bin:/bin'}`;
  const viaStdin = opts.via === 'stdin';
  const result = spawnSync(file, viaStdin ? [...args, '-s'] : [...args, '-c', script], {
    env,
    input: viaStdin ? script : '',
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/**
 * A root for TIERWISE_ROOT: `files` (relative path → text) and `links` (relative path → target, e.g.
 * proc → a fixture procfs tree). Removed after the test file; call it where `afterAll` may be called.
 */
export function probeRoot(files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tierwise-probe-root-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  for (const [link, target] of Object.entries(links)) {
    mkdirSync(path.dirname(path.join(root, link)), { recursive: true });
    symlinkSync(target, path.join(root, link));
  }
  return root;
}
