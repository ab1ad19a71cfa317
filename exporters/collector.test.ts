import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/fixtures.ts';
import { NoDataError, readOptional, readRequired } from './collector.ts';

describe('readOptional', () => {
  it('reads files larger than its buffer whole, and small ones after them', async () => {
    const dir = await tempDir('read');
    const big = `${'node_cpu 1\n'.repeat(20_000)}end\n`; // ~220 KB, past the 64 KiB buffer
    await writeFile(path.join(dir, 'big'), big);
    await writeFile(path.join(dir, 'small'), 'usage_usec 42\n');
    expect(await readOptional(path.join(dir, 'big'))).toBe(big);
    expect(await readOptional(path.join(dir, 'small'))).toBe('usage_usec 42\n');
    expect(await readOptional(path.join(dir, 'big'))).toBe(big);
  });

  it("reads the kernel's own pseudo files", async () => {
    expect(await readOptional('/proc/self/stat')).toMatch(/^\d+ \(/);
  });

  it('returns undefined for a missing file and NoDataError when it was required', async () => {
    expect(await readOptional('/nonexistent/file')).toBeUndefined();
    await expect(readRequired('/nonexistent/file')).rejects.toBeInstanceOf(NoDataError);
  });

  it('passes other errors on', async () => {
    await expect(readOptional(await tempDir('dir-not-file'))).rejects.toThrow(/EISDIR/);
  });
});
