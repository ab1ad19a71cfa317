import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../support/agent-process.ts';

const tierwise = (...args: string[]) =>
  spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('tierwise CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('documents its commands and the agent flags', () => {
    const top = tierwise('--help');
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/agent/);
    expect(top.stdout).toMatch(/inventory/);
    const agent = tierwise('agent', '--help');
    for (const flag of [
      '--web.listen-address',
      '--web.config.file',
      '--path.procfs',
      '--path.sysfs',
      '--path.rootfs',
      '--config',
      '--no-collector.hwmon',
    ]) {
      expect(agent.stdout).toContain(flag);
    }
  });

  it.each([
    [
      'a wrong type',
      'agent:\n  filesystem:\n    statfs_timeout_seconds: soon\n',
      /agent\.filesystem\.statfs_timeout_seconds: .*expected number/,
    ],
    ['an unknown key', 'agent:\n  colectors: {}\n', /agent: unknown key\(s\) 'colectors'/],
    ['broken YAML', 'agent: [\n', /line \d+/],
    [
      'an unknown collector',
      'agent:\n  collectors:\n    disabled: [gpuu]\n',
      /agent\.collectors\.disabled: unknown collector\(s\) gpuu/,
    ],
  ])('exits 2 on a config with %s, naming the file and the key', async (_what, yaml, message) => {
    const file = path.join(dir, 'tierwise.yml');
    await writeFile(file, yaml);
    const res = tierwise('agent', `--config=${file}`, '--web.listen-address=127.0.0.1:0');
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(file);
    expect(res.stderr).toMatch(message);
  });

  it('exits 2 on a web config with a plain password instead of a bcrypt hash', async () => {
    const file = path.join(dir, 'web-config.yml');
    await writeFile(file, 'basic_auth_users:\n  alice: hunter2\n');
    const res = tierwise('agent', `--web.config.file=${file}`, '--web.listen-address=127.0.0.1:0');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/basic_auth_users\.alice: expected a bcrypt hash/);
    expect(res.stderr).not.toContain('hunter2');
  });

  it.each([
    ['an unknown flag', ['agent', '--bogus'], /unknown option '--bogus'/],
    ['a bad flag value', ['calibrate', '--drive-load', '--steps', '0,150'], /percentages from 0 to 100/],
  ])('exits 2 on %s to a subcommand', (_what, args, message) => {
    const res = tierwise(...args);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(message);
  });

  it('exits 2 on a missing config file', () => {
    const res = tierwise('agent', `--config=${path.join(dir, 'absent.yml')}`);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/absent\.yml: .*cannot read file/s);
  });

  it("prints this machine's inventory as JSON", () => {
    const res = tierwise('inventory', '--json', '--no-speed-score');
    expect(res.status).toBe(0);
    const inv = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(inv.class).toMatch(/^(ultra-low|legacy|modern|portable)$/);
    expect(inv.logicalCpus).toBe(os.availableParallelism());
    expect(inv.memoryBytes).toBeGreaterThan(0);
    expect(inv.speed).toBeUndefined();
  });

  it('prints the inventory as a table with the speed score', () => {
    const res = tierwise('inventory');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^class\s+(ultra-low|legacy|modern|portable)$/m);
    expect(res.stdout).toMatch(/^speed score\s+\d+\.\d \(best of 5 runs\)$/m);
  });
});
