import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportBaseName, storeReport } from './store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierwise-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('storeReport', () => {
  it('writes the three forms, replaces a rerun of the same week and leaves no temporary files', async () => {
    const out = join(dir, 'a', 'b');
    const first = { title: 't', week: '2026-W13', html: '<p>1</p>', markdown: '1', json: '{"v":1}' };
    await storeReport(first, out);
    const stored = await storeReport({ ...first, html: '<p>2</p>', markdown: '2', json: '{"v":2}' }, out);
    expect(stored).toEqual({
      dir: out,
      html: join(out, '2026-W13.html'),
      markdown: join(out, '2026-W13.md'),
      json: join(out, '2026-W13.json'),
    });
    expect((await readdir(out)).sort()).toEqual(['2026-W13.html', '2026-W13.json', '2026-W13.md']);
    expect(await readFile(stored.html, 'utf8')).toBe('<p>2</p>');
    expect(await readFile(stored.markdown, 'utf8')).toBe('2');
    expect(await readFile(stored.json, 'utf8')).toBe('{"v":2}');
  });
});

describe('reportBaseName', () => {
  it('keeps a week inside the directory', () => {
    expect(reportBaseName('2026-W13')).toBe('2026-W13');
    expect(reportBaseName('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(reportBaseName('')).toBe('report');
  });
});
