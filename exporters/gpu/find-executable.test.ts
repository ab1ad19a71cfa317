import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/fixtures.ts';
import { findExecutable } from './find-executable.ts';

describe('findExecutable', () => {
  it('finds the first executable of that name in PATH, skipping files that are not executable', async () => {
    const [a, b] = [await tempDir('path-a'), await tempDir('path-b')];
    await writeFile(path.join(a, 'nvidia-smi'), '');
    await writeFile(path.join(b, 'nvidia-smi'), '#!/bin/sh\n');
    await chmod(path.join(b, 'nvidia-smi'), 0o755);
    expect(findExecutable('nvidia-smi', `/nonexistent:${a}:${b}`)).toBe(path.join(b, 'nvidia-smi'));
  });

  it('takes a path as it is, and finds nothing where there is nothing', async () => {
    const dir = await tempDir('path-c');
    const bin = path.join(dir, 'smi');
    await writeFile(bin, '#!/bin/sh\n');
    await chmod(bin, 0o755);
    expect(findExecutable(bin, '')).toBe(bin);
    expect(findExecutable(path.join(dir, 'missing'), '')).toBeUndefined();
    expect(findExecutable('nvidia-smi', `${dir}::/nonexistent`)).toBeUndefined();
    expect(findExecutable('nvidia-smi', undefined)).toBeUndefined();
    // A directory is not a program.
    expect(findExecutable(dir, '')).toBeUndefined();
  });
});
