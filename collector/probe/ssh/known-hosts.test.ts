import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tempDir } from '../../../test/support/fixtures.ts';
import { generateKey, type KeyPair, sshKeygenPath } from '../../../test/support/sshd.ts';
import { shellWord } from './errors.ts';
import { fingerprint, parsePublicKey } from './host-key.ts';
import {
  checkHostKey,
  describeRefusal,
  formatKnownHostsLine,
  knownHostsName,
  knownKeyTypes,
  matchPattern,
  parseKnownHosts,
} from './known-hosts.ts';
import { recordHostKey } from './trust.ts';

const run = promisify(execFile);

/** Keys of three types, made once by the real ssh-keygen (RSA takes a while). */
let keyDir = '';
let shared: Record<'ed25519' | 'ecdsa' | 'rsa' | 'other', KeyPair>;
beforeAll(async () => {
  keyDir = await mkdtemp(path.join(tmpdir(), 'tierwise-keys-'));
  const [ed25519, ecdsa, rsa, other] = await Promise.all([
    generateKey(keyDir, 'ed25519', 'ed25519'),
    generateKey(keyDir, 'ecdsa', 'ecdsa'),
    generateKey(keyDir, 'rsa', 'rsa'),
    generateKey(keyDir, 'other', 'ed25519'),
  ]);
  shared = { ed25519, ecdsa, rsa, other };
});
afterAll(() => rm(keyDir, { recursive: true, force: true }));

/** The shared keys, and a fresh directory for this test's files. */
async function keys() {
  return { dir: await tempDir('known-hosts'), ...shared };
}

/** "ssh-ed25519 AAAA…" without the comment. */
const bare = (publicLine: string) => publicLine.split(' ').slice(0, 2).join(' ');

/** What the real ssh-keygen finds for a name in a known_hosts file (-F), or undefined. */
async function keygenFind(file: string, name: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(sshKeygenPath, ['-F', name, '-f', file]);
    return stdout;
  } catch {
    return undefined;
  }
}

describe('host keys', () => {
  test('fingerprints are what ssh-keygen -l prints, for ed25519, ecdsa and rsa keys', async () => {
    const k = await keys();
    for (const pair of [k.ed25519, k.ecdsa, k.rsa]) {
      const { stdout } = await run(sshKeygenPath, ['-l', '-E', 'sha256', '-f', `${pair.privateFile}.pub`]);
      const key = parsePublicKey(pair.publicLine);
      expect(stdout.split(' ')[1]).toBe(fingerprint(key.blob));
    }
    expect(parsePublicKey(k.rsa.publicLine).type).toBe('ssh-rsa');
    expect(parsePublicKey(k.ecdsa.publicLine).type).toBe('ecdsa-sha2-nistp256');
  });

  test('a key whose data names another type is refused', async () => {
    const k = await keys();
    const data = k.ed25519.publicLine.split(' ')[1];
    expect(() => parsePublicKey(`ssh-rsa ${data}`)).toThrow(/does not match/);
  });
});

describe('known_hosts', () => {
  test('plain, [host]:port and comma-separated names; other hosts and ports are unknown', async () => {
    const k = await keys();
    const known = parseKnownHosts(
      [
        '# a comment, then a blank line',
        '',
        `web1,192.168.1.10 ${k.ed25519.publicLine}`,
        `[pi.lan]:2222 ${bare(k.ecdsa.publicLine)}`,
      ].join('\n'),
    );
    expect(known.problems).toEqual([]);
    const ed = parsePublicKey(k.ed25519.publicLine);
    const ec = parsePublicKey(k.ecdsa.publicLine);
    expect(checkHostKey(known, 'web1', 22, ed)).toEqual({ ok: true, line: 3 });
    expect(checkHostKey(known, '192.168.1.10', 22, ed).ok).toBe(true);
    expect(checkHostKey(known, 'WEB1', 22, ed).ok).toBe(true);
    expect(checkHostKey(known, 'pi.lan', 2222, ec).ok).toBe(true);
    // The same host on another port is another entry (OpenSSH's [host]:port rule).
    expect(checkHostKey(known, 'pi.lan', 22, ec)).toMatchObject({ ok: false, status: 'unknown' });
    expect(checkHostKey(known, 'web1', 2222, ed)).toMatchObject({ ok: false, status: 'unknown' });
    expect(checkHostKey(known, 'web2', 22, ed)).toMatchObject({ ok: false, status: 'unknown' });
  });

  test('a host with another key has CHANGED, and the message says so with both fingerprints', async () => {
    const k = await keys();
    const known = parseKnownHosts(`[10.0.0.5]:2200 ${k.ed25519.publicLine}\n`);
    const presented = parsePublicKey(k.other.publicLine);
    const verdict = checkHostKey(known, '10.0.0.5', 2200, presented);
    expect(verdict).toMatchObject({ ok: false, status: 'changed' });
    if (verdict.ok) throw new Error('unreachable');
    const message = describeRefusal(
      verdict,
      '[10.0.0.5]:2200',
      presented,
      'tierwise probe trust box',
      '/var/lib/tierwise/known_hosts',
    );
    expect(message).toContain('host key CHANGED');
    expect(message).toContain(fingerprint(presented.blob));
    expect(message).toContain(fingerprint(parsePublicKey(k.ed25519.publicLine).blob));
    expect(message).toContain('`tierwise probe trust box`');
    expect(message).toContain("`ssh-keygen -R '[10.0.0.5]:2200' -f /var/lib/tierwise/known_hosts`");
  });

  test('hashed entries written by ssh-keygen -H match their host only', async () => {
    const k = await keys();
    const file = path.join(k.dir, 'known_hosts');
    await writeFile(file, `[127.0.0.1]:2222 ${k.ed25519.publicLine}\nnas.lan ${k.rsa.publicLine}\n`);
    await run(sshKeygenPath, ['-H', '-f', file]);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('nas.lan');
    const known = parseKnownHosts(text);
    expect(known.problems).toEqual([]);
    expect(known.entries.map((e) => e.hosts.kind)).toEqual(['hashed', 'hashed']);
    const ed = parsePublicKey(k.ed25519.publicLine);
    const rsa = parsePublicKey(k.rsa.publicLine);
    expect(checkHostKey(known, '127.0.0.1', 2222, ed).ok).toBe(true);
    expect(checkHostKey(known, 'nas.lan', 22, rsa).ok).toBe(true);
    expect(checkHostKey(known, '127.0.0.1', 2223, ed)).toMatchObject({ ok: false, status: 'unknown' });
    expect(checkHostKey(known, 'nas.lan', 22, ed)).toMatchObject({ ok: false, status: 'changed' });
    expect(knownKeyTypes(known, 'nas.lan', 22)).toEqual(['ssh-rsa']);
  });

  test('our hashed lines are found by ssh-keygen -F, and theirs by us', async () => {
    const k = await keys();
    const file = path.join(k.dir, 'known_hosts');
    const key = parsePublicKey(k.ed25519.publicLine);
    await writeFile(file, `${formatKnownHostsLine('Box.Lan', 2022, key, true)}\n`);
    expect(await keygenFind(file, '[box.lan]:2022')).toContain('ssh-ed25519');
    expect(await keygenFind(file, '[box.lan]:2023')).toBeUndefined();
    expect(checkHostKey(parseKnownHosts(await readFile(file, 'utf8')), 'box.lan', 2022, key).ok).toBe(true);
  });

  test('wildcards and negations, as in OpenSSH patterns', async () => {
    const k = await keys();
    const key = parsePublicKey(k.ed25519.publicLine);
    const known = parseKnownHosts(`*.lab.lan,!gw.lab.lan,pi-?? ${bare(k.ed25519.publicLine)}\n`);
    expect(checkHostKey(known, 'pi3.lab.lan', 22, key).ok).toBe(true);
    expect(checkHostKey(known, 'pi-01', 22, key).ok).toBe(true);
    expect(checkHostKey(known, 'pi-001', 22, key).ok).toBe(false);
    expect(checkHostKey(known, 'gw.lab.lan', 22, key).ok).toBe(false);
    expect(matchPattern('a.b.c', '*.c')).toBe(true);
    expect(matchPattern('abc', 'a*b*c')).toBe(true);
    expect(matchPattern('abd', 'a*c')).toBe(false);
  });

  test('@revoked keys are refused for every host; @cert-authority lines trust nothing', async () => {
    const k = await keys();
    const key = parsePublicKey(k.ed25519.publicLine);
    const known = parseKnownHosts(
      [
        `web1 ${bare(k.ed25519.publicLine)}`,
        `@revoked other.lan ${bare(k.ed25519.publicLine)}`,
        `@cert-authority * ${bare(k.other.publicLine)}`,
      ].join('\n'),
    );
    expect(checkHostKey(known, 'web1', 22, key)).toMatchObject({ ok: false, status: 'revoked' });
    expect(checkHostKey(known, 'x', 22, parsePublicKey(k.other.publicLine))).toMatchObject({
      ok: false,
      status: 'unknown',
    });
  });

  test('malformed lines are reported and match nothing', async () => {
    const k = await keys();
    const data = k.ed25519.publicLine.split(' ')[1];
    const known = parseKnownHosts(
      [
        `web1 ssh-ed25519`,
        `web1 ssh-rsa ${data}`,
        `|1|bad|hash ssh-ed25519 ${data}`,
        `@weird web1 ssh-ed25519 ${data}`,
      ].join('\n'),
    );
    expect(known.entries).toEqual([]);
    expect(known.problems).toHaveLength(4);
    expect(known.problems[0]).toMatch(/^line 1:/);
  });

  test('lookup names: the host for port 22, else [host]:port, lower case', () => {
    expect(knownHostsName('Pi.Lan', 22)).toBe('pi.lan');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    expect(knownHostsName('::1', 2222)).toBe('[::1]:2222');
  });

  test('a host that is not one plain name is never written into a line', async () => {
    const k = await keys();
    const key = parsePublicKey(k.ed25519.publicLine);
    for (const host of ['evil\n* ssh-ed25519 AAAA', 'a b', 'a,b', '*', '!x', '|1|x|y', '@revoked', '-oProxy'])
      expect(() => formatKnownHostsLine(host, 22, key)).toThrow(/cannot record host/);
  });
});

describe('recordHostKey', () => {
  test('creates the directory and a 0600 file, appends once, and keeps other lines intact', async () => {
    const k = await keys();
    const file = path.join(k.dir, 'new', 'dir', 'known_hosts');
    const key = parsePublicKey(k.ed25519.publicLine);
    const b64 = key.blob.toString('base64');
    const line = await recordHostKey(file, { host: '127.0.0.1', port: 2222 }, { type: key.type, key: b64 });
    expect(line).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${b64}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    await recordHostKey(file, { host: '127.0.0.1', port: 2222 }, { type: key.type, key: b64 });
    expect(await readFile(file, 'utf8')).toBe(`${line}\n`);
    expect(await keygenFind(file, '[127.0.0.1]:2222')).toContain(b64);

    // A file without a final newline gets one before the new line.
    const other = parsePublicKey(k.rsa.publicLine);
    await writeFile(
      file,
      'nas.lan ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    await recordHostKey(
      file,
      { host: 'pi.lan', port: 22 },
      { type: other.type, key: other.blob.toString('base64') },
    );
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^pi\.lan ssh-rsa /);
  });

  test('a name holding another key is refused until ssh-keygen -R (as the hint says) removes it', async () => {
    const k = await keys();
    const file = path.join(k.dir, 'known_hosts');
    const old = parsePublicKey(k.ed25519.publicLine);
    const renewed = parsePublicKey(k.other.publicLine);
    const target = { host: '10.1.2.3', port: 2222 };
    await recordHostKey(file, target, { type: old.type, key: old.blob.toString('base64') }, { hash: true });
    const data = { type: renewed.type, key: renewed.blob.toString('base64') };
    const err = await recordHostKey(file, target, data).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain(`ssh-keygen -R '[10.1.2.3]:2222' -f ${file}`);
    await run(sshKeygenPath, ['-R', '[10.1.2.3]:2222', '-f', file]);
    await recordHostKey(file, target, data);
    const known = parseKnownHosts(await readFile(file, 'utf8'));
    expect(checkHostKey(known, target.host, target.port, renewed).ok).toBe(true);
    expect(checkHostKey(known, target.host, target.port, old)).toMatchObject({
      ok: false,
      status: 'changed',
    });
  });

  test('hashed recording, found by ssh-keygen -F', async () => {
    const k = await keys();
    const file = path.join(k.dir, 'known_hosts');
    const key = parsePublicKey(k.ecdsa.publicLine);
    const line = await recordHostKey(
      file,
      { host: 'pi.lan', port: 2222 },
      { type: key.type, key: key.blob.toString('base64') },
      { hash: true },
    );
    expect(line).toMatch(/^\|1\|/);
    expect(await keygenFind(file, '[pi.lan]:2222')).toContain('ecdsa-sha2-nistp256');
  });

  test('refuses a hostile host and a revoked key, leaving the file as it was', async () => {
    const k = await keys();
    const file = path.join(k.dir, 'known_hosts');
    const key = parsePublicKey(k.ed25519.publicLine);
    const data = { type: key.type, key: key.blob.toString('base64') };
    await writeFile(file, `@revoked * ${bare(k.ed25519.publicLine)}\n`);
    await expect(recordHostKey(file, { host: 'x\n* ssh-ed25519 AAAA', port: 22 }, data)).rejects.toThrow(
      /cannot record host/,
    );
    await expect(recordHostKey(file, { host: 'pi.lan', port: 22 }, data)).rejects.toThrow(/revoked/);
    expect(await readFile(file, 'utf8')).toBe(`@revoked * ${bare(k.ed25519.publicLine)}\n`);
  });
});

describe('the trust hint', () => {
  test('a hostile target name pasted from the hint is one inert shell word', async () => {
    const dir = await tempDir('hint');
    const marker = path.join(dir, 'pwned');
    for (const name of [
      `; touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `it's; touch ${marker}`,
      `a\ntouch ${marker}`,
    ]) {
      const { stdout } = await run('sh', ['-c', `printf %s ${shellWord(name)}`]);
      expect(stdout).toBe(name.replace('\n', '?'));
    }
    await expect(stat(marker)).rejects.toThrow(/ENOENT/);
    expect(shellWord('web-1.lan')).toBe('web-1.lan');
  });
});
