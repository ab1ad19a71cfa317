import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/fixtures.ts';
import { findBinaries, INSTALL_COMMAND, MissingBinaryError } from './binaries.ts';

async function executable(dir: string, name: string, mode = 0o755): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, '#!/bin/sh\n');
  await chmod(file, mode);
  return file;
}

describe('finding Prometheus and Alertmanager', () => {
  it('says exactly how to install them when PATH lacks them', async () => {
    const empty = await tempDir('stack-path');
    const err = await findBinaries(`${empty}:/nonexistent`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingBinaryError);
    expect((err as Error).message).toBe(
      'prometheus and alertmanager (or prometheus-alertmanager) not found on PATH; tierwise stack runs the installed programs. Install them with:\n' +
        '  sudo apt-get install -y prometheus prometheus-alertmanager',
    );
    expect(INSTALL_COMMAND).toBe('sudo apt-get install -y prometheus prometheus-alertmanager');
  });

  it('names only what is missing', async () => {
    const dir = await tempDir('stack-path');
    await executable(dir, 'prometheus');
    await expect(findBinaries(dir)).rejects.toThrow(/^alertmanager \(or prometheus-alertmanager\) not found/);
  });

  it("finds Debian's prometheus-alertmanager, in PATH order, skipping what cannot run", async () => {
    const first = await tempDir('stack-path');
    const second = await tempDir('stack-path');
    await executable(first, 'prometheus', 0o644);
    await mkdir(path.join(first, 'prometheus-alertmanager'));
    const prometheus = await executable(second, 'prometheus');
    const alertmanager = await executable(second, 'prometheus-alertmanager');
    expect(await findBinaries([first, second].join(path.delimiter))).toEqual({ prometheus, alertmanager });
  });

  it("prefers upstream's alertmanager name", async () => {
    const dir = await tempDir('stack-path');
    const prometheus = await executable(dir, 'prometheus');
    await executable(dir, 'prometheus-alertmanager');
    const alertmanager = await executable(dir, 'alertmanager');
    expect(await findBinaries(dir)).toEqual({ prometheus, alertmanager });
  });
});
