import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { tempDir } from '../../../test/support/fixtures.ts';
import { probeFailure } from '../../../test/support/probe-errors.ts';
import { freePort, waitFor } from '../../../test/support/processes.ts';
import { generateKey, type Sshd, sshKeygenPath, startSshd, targetOn } from '../../../test/support/sshd.ts';
import { type ProbeConfig, type ProbeTarget, probeConfigSchema } from '../config.ts';
import { SshPool, type SshPoolOptions } from './pool.ts';
import { recordHostKey, trustHostKey } from './trust.ts';

/** Against Debian's real OpenSSH sshd, on 127.0.0.1 with a throwaway host key. */

const run = promisify(execFile);

/** Echoes its own $0 and argument count: "sh 0" proves it ran as a script on stdin with no arguments. */
const script = 'echo "$0 $#"; id -un; echo "to stderr" >&2';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd({ extraHostKeyTypes: ['ecdsa'] });
});
afterAll(() => sshd?.stop());

function target(name: string, overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  return targetOn(sshd, sshd.clientKey, sshd.user, name, overrides);
}

/** A known_hosts file holding `lines` (default: this sshd's key), in a fresh directory. */
async function knownHosts(lines: string[] = [sshd.knownHostsLine]): Promise<string> {
  const file = path.join(await tempDir('kh'), 'known_hosts');
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

function config(file: string, targets: ProbeTarget[] = [], more: Partial<ProbeConfig> = {}): ProbeConfig {
  return probeConfigSchema.parse({ known_hosts: file, targets, ...more });
}

function pool(cfg: ProbeConfig, options: SshPoolOptions = {}): SshPool {
  const p = new SshPool(cfg, options);
  onTestFinished(() => p.close());
  return p;
}

describe('SshPool against a real sshd', () => {
  test('runs the constant script through sh -s and returns stdout, stderr and status', async () => {
    const p = pool(config(await knownHosts()));
    const result = await p.run(target('a'), script);
    expect(result).toEqual({ stdout: `sh 0\n${sshd.user}\n`, stderr: 'to stderr\n', code: 0 });
  });

  test('reuses one pooled connection per target, for sequential and concurrent runs', async () => {
    const p = pool(config(await knownHosts()));
    const before = sshd.logins();
    const t = target('reuse');
    for (let i = 0; i < 5; i++) expect((await p.run(t, 'echo $i')).code).toBe(0);
    await Promise.all(Array.from({ length: 8 }, () => p.run(t, 'echo concurrent')));
    expect(sshd.logins() - before).toBe(1);
    expect(p.stats()).toMatchObject({ connections: 1, opened: 1, active: 0, queued: 0 });
  });

  test('without pooling, every run opens (and closes) its own connection', async () => {
    const p = pool(config(await knownHosts()), { pooled: false });
    const before = sshd.logins();
    for (let i = 0; i < 3; i++) await p.run(target('fresh'), 'true');
    expect(sshd.logins() - before).toBe(3);
    expect(p.stats()).toMatchObject({ connections: 0, opened: 3 });
  });

  test('reconnects when the server side kills the pooled connection', async () => {
    const p = pool(config(await knownHosts()));
    const t = target('reconnect');
    const before = sshd.logins();
    expect((await p.run(t, 'echo one')).stdout).toBe('one\n');
    expect(await sshd.dropConnections()).toBeGreaterThan(0);
    // Straight away: the client may or may not have seen the close yet; either way the run succeeds.
    expect((await p.run(t, 'echo two')).stdout).toBe('two\n');
    expect(sshd.logins() - before).toBe(2);
  });

  test('keepalives notice a frozen server and drop the pooled connection', async () => {
    const p = pool(config(await knownHosts(), [], { keepalive_seconds: 0.2 }));
    const t = target('frozen');
    await p.run(t, 'true');
    expect(p.stats().connections).toBe(1);
    await sshd.signalConnections('SIGSTOP');
    try {
      // Three unanswered keepalives, 0.2 s apart.
      await waitFor(
        'the keepalive to give up',
        async () => (p.stats().connections === 0 ? true : undefined),
        5000,
        50,
      );
    } finally {
      await sshd.dropConnections();
      await sshd.signalConnections('SIGCONT');
    }
    expect((await p.run(t, 'echo back')).stdout).toBe('back\n');
  });

  test('an unknown host key is refused before any credential is offered', async () => {
    const p = pool(config(await knownHosts([])));
    const before = sshd.output().split('\n').length;
    const err = await probeFailure(p.run(target('stranger'), script));
    expect(err.reason).toBe('host_key');
    expect(err.message).toMatch(/^unknown host key for \[127\.0\.0\.1\]:\d+ \(ssh-ed25519 SHA256:/);
    expect(err.message).toContain('run `tierwise probe trust stranger`');
    // sshd saw the connection end in the key exchange: no authentication attempt at all.
    const log = sshd.output().split('\n').slice(before).join('\n');
    expect(log).not.toMatch(/publickey|Postponed|Failed/);
  });

  test('a changed host key is refused', async () => {
    const other = await generateKey(await tempDir('other'), 'other_host_key');
    const line = `[127.0.0.1]:${sshd.port} ${other.publicLine.split(' ').slice(0, 2).join(' ')}`;
    const p = pool(config(await knownHosts([line])));
    const err = await probeFailure(p.run(target('changed'), script));
    expect(err.reason).toBe('host_key');
    expect(err.message).toContain('host key CHANGED');
    expect(err.message).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f `);
  });

  test('a revoked host key is refused even when also listed as trusted', async () => {
    const p = pool(config(await knownHosts([sshd.knownHostsLine, `@revoked * ${sshd.hostKey}`])));
    const err = await probeFailure(p.run(target('revoked'), script));
    expect(err.reason).toBe('host_key');
    expect(err.message).toContain('REVOKED');
  });

  test('a host with several keys shows the one known_hosts has (not "changed")', async () => {
    const ecdsaOnly = `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ecdsa}`;
    const p = pool(config(await knownHosts([ecdsaOnly])));
    expect((await p.run(target('ecdsa-known'), script)).code).toBe(0);
    // Unknown to known_hosts, the server's first choice (ed25519) is what a refusal names.
    const err = await probeFailure(pool(config(await knownHosts([]))).run(target('none-known'), script));
    expect(err.message).toContain('(ssh-ed25519 SHA256:');
  });

  test('a hashed known_hosts entry (ssh-keygen -H) is accepted', async () => {
    const file = await knownHosts();
    await run(sshKeygenPath, ['-H', '-f', file]);
    expect(await readFile(file, 'utf8')).toMatch(/^\|1\|/);
    const p = pool(config(file));
    expect((await p.run(target('hashed'), script)).code).toBe(0);
  });

  test('a key the server does not accept fails as auth, naming no key material', async () => {
    const wrong = await generateKey(await tempDir('wrong'), 'wrong_key');
    const p = pool(config(await knownHosts()));
    const err = await probeFailure(p.run(target('wrong-key', { key_file: wrong.privateFile }), script));
    expect(err.reason).toBe('auth');
    expect(err.message).toBe(`authentication failed at [127.0.0.1]:${sshd.port}`);
    const missing = await probeFailure(p.run(target('no-key', { key_file: '/nonexistent/key' }), script));
    expect(missing.reason).toBe('auth');
    expect(missing.message).toBe('cannot read key_file "/nonexistent/key" (ENOENT)');
  });

  test('a closed port is refused', async () => {
    const port = await freePort();
    const p = pool(config(await knownHosts()));
    const err = await probeFailure(p.run(target('closed', { port }), script));
    expect(err.reason).toBe('refused');
    expect(err.message).toBe(`connection refused by [127.0.0.1]:${port}`);
  });

  test('a non-zero exit status is an exit failure carrying the output, unless check is off', async () => {
    const p = pool(config(await knownHosts()));
    const err = await probeFailure(p.run(target('exit'), 'echo partial; exit 3'));
    expect(err.reason).toBe('exit');
    expect(err.message).toContain('exited with status 3');
    expect(err.result).toEqual({ stdout: 'partial\n', stderr: '', code: 3 });
    expect(await p.run(target('exit'), 'exit 4', { check: false })).toEqual({
      stdout: '',
      stderr: '',
      code: 4,
    });
  });

  test('a target reached through a jump host (both on this sshd)', async () => {
    const jump = target('bastion');
    const inner = target('inner', { jump: 'bastion' });
    const p = pool(config(await knownHosts(), [jump, inner]));
    const before = sshd.logins();
    const result = await p.run(inner, 'echo "$SSH_CONNECTION"');
    // Two sessions: the jump host's, and the target's own, end to end through a direct-tcpip channel.
    expect(sshd.logins() - before).toBe(2);
    expect(result.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\n$`));
    // Pooled: the next run reuses both.
    await p.run(inner, 'true');
    await p.run(jump, 'true');
    expect(sshd.logins() - before).toBe(2);

    // The traffic really goes through the jump host: with the jump host's port closed, the target
    // fails though it is itself reachable.
    const deadJump = target('dead-bastion', { port: await freePort() });
    const viaDead = target('via-dead', { jump: 'dead-bastion' });
    const p2 = pool(config(await knownHosts(), [deadJump, viaDead]));
    const err = await probeFailure(p2.run(viaDead, script));
    expect(err.reason).toBe('refused');
  });

  test('a jump host with an unknown key refuses the whole path', async () => {
    const jump = target('bastion', { port: sshd.port });
    const inner = target('inner', { jump: 'bastion', host: 'localhost' });
    // Only the target's key is known, under "localhost"; the jump host's entry is missing.
    const p = pool(config(await knownHosts([`[localhost]:${sshd.port} ${sshd.hostKey}`]), [jump, inner]));
    const err = await probeFailure(p.run(inner, script));
    expect(err.reason).toBe('host_key');
    expect(err.message).toContain('tierwise probe trust bastion');
  });

  test('jump loops are refused without connecting', async () => {
    const a = target('loop-a', { jump: 'loop-b' });
    const b = target('loop-b', { jump: 'loop-a' });
    const p = pool(config(await knownHosts(), [a, b]));
    const before = sshd.logins();
    const err = await probeFailure(p.run(a, script));
    expect(err.reason).toBe('unreachable');
    expect(err.message).toContain('loop');
    expect(sshd.logins()).toBe(before);
  });
});

describe('trust', () => {
  test('shows the real host key fingerprint, records it, and the probe then connects', async () => {
    const file = path.join(await tempDir('trust'), 'etc', 'known_hosts');
    const t = target('new-box');
    const before = sshd.logins();
    const presented = await trustHostKey(t, file);
    const { stdout } = await run(sshKeygenPath, [
      '-l',
      '-E',
      'sha256',
      '-f',
      path.join(sshd.dir, 'ssh_host_ed25519_key.pub'),
    ]);
    expect(presented).toMatchObject({
      type: 'ssh-ed25519',
      fingerprint: stdout.split(' ')[1],
      name: `[127.0.0.1]:${sshd.port}`,
      status: 'new',
    });
    expect(`${presented.type} ${presented.key}`).toBe(sshd.hostKey);
    // Fetching the key never logs in.
    expect(sshd.logins()).toBe(before);

    const p = pool(config(file));
    expect((await probeFailure(p.run(t, script))).reason).toBe('host_key');
    await recordHostKey(file, t, presented);
    expect((await p.run(t, script)).code).toBe(0);
    expect((await trustHostKey(t, file)).status).toBe('known');
  });

  test('reports a changed key, and reaches a target through its jump host', async () => {
    const other = await generateKey(await tempDir('other'), 'other_host_key');
    const file = await knownHosts([
      sshd.knownHostsLine,
      `[localhost]:${sshd.port} ${other.publicLine.split(' ').slice(0, 2).join(' ')}`,
    ]);
    const jump = target('bastion');
    const inner = target('inner', { host: 'localhost', jump: 'bastion' });
    const presented = await trustHostKey(inner, file, { targets: [jump, inner] });
    expect(presented.status).toBe('changed');
    expect(presented.name).toBe(`[localhost]:${sshd.port}`);
    expect(`${presented.type} ${presented.key}`).toBe(sshd.hostKey);

    // The machine was "reinstalled": forget the old key with OpenSSH's tool, record the new one.
    await expect(recordHostKey(file, inner, presented)).rejects.toThrow(/ssh-keygen -R/);
    await run(sshKeygenPath, ['-R', presented.name, '-f', file]);
    await recordHostKey(file, inner, presented);
    const p = pool(config(file, [jump, inner]));
    expect((await p.run(inner, script)).code).toBe(0);
  });
});
