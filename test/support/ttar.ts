import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { readFixture } from './fixtures.ts';

type TtarEntry =
  | { kind: 'directory'; path: string }
  | { kind: 'file'; path: string; text: string }
  | { kind: 'symlink'; path: string; target: string };

/**
 * The entries of a ttar archive, the text archive format prometheus/procfs and node_exporter keep their
 * fixture trees in. Modes are left out: the archives' 0400 files would read as root and fail as a user,
 * so a tree would differ with who runs the tests.
 */
function readTtar(archive: string): TtarEntry[] {
  const lines = archive.split('\n');
  const entries: TtarEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [kind, entry = ''] = (lines[i] ?? '').split(': ', 2);
    if (kind === 'Directory') entries.push({ kind: 'directory', path: entry });
    if (kind !== 'Path') continue;
    const [attribute, argument = ''] = (lines[++i] ?? '').split(': ', 2);
    if (attribute === 'SymlinkTo') {
      entries.push({ kind: 'symlink', path: entry, target: argument });
    } else if (attribute === 'Lines') {
      const count = Number(argument);
      const text = lines
        .slice(i + 1, i + 1 + count)
        .map((line) => `${line}\n`)
        .join('');
      i += count;
      // ttar marks a file without a final newline with "EOF" at the end of its last line.
      const ended = text.endsWith('EOF\n') ? text.slice(0, -4) : text;
      entries.push({ kind: 'file', path: entry, text: ended.replaceAll('NULLBYTE', '\0') });
    }
  }
  return entries;
}

/**
 * Extracts the tree `root` of a ttar fixture ("sys", "fixtures/proc"), or only its `subtree`, into a
 * fresh directory that stands for that root, and removes it after the test file. Call it where
 * `afterAll` may be called: at the top of a test file or in a describe block.
 */
export function extractTtar(fixture: string, root: string, subtree?: string): string {
  const to = mkdtempSync(path.join(tmpdir(), 'tierwise-ttar-'));
  afterAll(() => rmSync(to, { recursive: true, force: true }));
  const wanted = subtree === undefined ? root : `${root}/${subtree}`;
  for (const entry of readTtar(readFixture(fixture))) {
    if (entry.path !== wanted && !entry.path.startsWith(`${wanted}/`)) continue;
    const target = path.join(to, path.relative(root, entry.path));
    mkdirSync(entry.kind === 'directory' ? target : path.dirname(target), { recursive: true });
    if (entry.kind === 'symlink') symlinkSync(entry.target, target);
    if (entry.kind === 'file') writeFileSync(target, entry.text);
  }
  return to;
}
