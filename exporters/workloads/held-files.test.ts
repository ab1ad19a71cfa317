import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/fixtures.ts';
import { HeldFiles } from './held-files.ts';

const openFds = () => readdirSync('/proc/self/fd').length;

describe('HeldFiles', () => {
  it('re-reads a held file from the start and sees new content', async () => {
    const dir = await tempDir('held');
    const file = path.join(dir, 'cpu.stat');
    await writeFile(file, 'usage_usec 1\n');
    const held = new HeldFiles(10);
    expect(held.read(file)).toBe('usage_usec 1\n');
    await writeFile(file, 'usage_usec 22\n');
    expect(held.read(file)).toBe('usage_usec 22\n');
    expect(held.size).toBe(1);
  });

  it('closes the files of cgroups a scrape did not read', async () => {
    const dir = await tempDir('held');
    const [a, b] = ['a', 'b'].map((n) => path.join(dir, n)) as [string, string];
    await writeFile(a, '1\n');
    await writeFile(b, '2\n');
    const held = new HeldFiles(10);
    const before = openFds();
    held.read(a);
    held.read(b);
    held.endScrape();
    expect(openFds()).toBe(before + 2);
    held.read(a);
    held.endScrape();
    expect(held.size).toBe(1);
    expect(openFds()).toBe(before + 1);
  });

  it('holds no more than its cap and still reads the rest', async () => {
    const dir = await tempDir('held');
    const held = new HeldFiles(1);
    for (const n of ['x', 'y', 'z']) await writeFile(path.join(dir, n), `${n}\n`);
    expect(['x', 'y', 'z'].map((n) => held.read(path.join(dir, n)))).toEqual(['x\n', 'y\n', 'z\n']);
    expect(held.size).toBe(1);
  });

  it('reads files larger than its buffer whole, held or once', async () => {
    const dir = await tempDir('held');
    const file = path.join(dir, 'memory.stat');
    const big = 'file 12345\n'.repeat(5000); // 55 KB: the 16 KB buffer grows twice
    await writeFile(file, big);
    const held = new HeldFiles(10);
    expect(held.read(file)).toBe(big);
    expect(held.readOnce(file)).toBe(big);
    expect(held.readOnce(path.join(dir, 'io.stat'))).toBeUndefined();
    expect(held.size).toBe(1);
  });

  it('remembers a missing file for a while instead of failing to open it every scrape', async () => {
    const dir = await tempDir('held');
    const file = path.join(dir, 'memory.current');
    const held = new HeldFiles(10);
    expect(held.read(file)).toBeUndefined();
    writeFileSync(file, '5\n');
    held.endScrape();
    expect(held.read(file)).toBeUndefined();
  });

  // Where cgroup v2 is mounted (pure v2, or hybrid's unified tree); the test is skipped without one.
  const v2 = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((d) =>
    existsSync(path.join(d, 'cgroup.controllers')),
  );

  it.skipIf(!v2)(
    'reads real cgroupfs files afresh through one descriptor, and lets the cgroup go',
    async () => {
      const cg = path.join(v2 ?? '', `tierwise-held-${process.pid}`);
      mkdirSync(cg);
      const child = spawn('sleep', ['30'], { stdio: 'ignore' });
      const events = path.join(cg, 'cgroup.events');
      const held = new HeldFiles(10);
      try {
        expect(held.read(events)).toMatch(/^populated 0$/m);
        writeFileSync(path.join(cg, 'cgroup.procs'), String(child.pid));
        expect(held.read(events)).toMatch(/^populated 1$/m);
      } finally {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      // A held descriptor never keeps systemd or Docker from removing a cgroup; reads then find it gone.
      rmdirSync(cg);
      expect(held.read(events)).toBeUndefined();
      expect(held.size).toBe(0);
    },
  );
});
