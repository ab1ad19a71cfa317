import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { tempDir } from '../../../test/support/fixtures.ts';
import { waitFor } from '../../../test/support/processes.ts';
import {
  type FaultServer,
  type FaultServerOptions,
  startFaultServer,
} from '../../../test/support/ssh-fault-server.ts';
import { type Sshd, startSshd, targetOn } from '../../../test/support/sshd.ts';
import { type ProbeConfig, type ProbeTarget, probeConfigSchema } from '../config.ts';
import { ProbeError } from './errors.ts';
import { REMOTE_COMMAND } from './exec.ts';
import { SshPool } from './pool.ts';

/**
 * Misbehaving peers (ssh2's Server): each fault fails with the right reason within the target's
 * timeout, while a healthy target (the real sshd), probed at the same time through the same pool,
 * answers at once.
 */

const script = 'echo "$0 $#"';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(() => sshd?.stop());

async function faultServer(options: Omit<FaultServerOptions, 'authorizedKey'>): Promise<FaultServer> {
  const server = await startFaultServer({ authorizedKey: sshd.clientKey.publicLine, ...options });
  onTestFinished(() => server.close());
  return server;
}

async function setup(servers: FaultServer[], more: Partial<ProbeConfig> = {}) {
  const file = path.join(await tempDir('faults'), 'known_hosts');
  await writeFile(file, [sshd.knownHostsLine, ...servers.map((s) => s.knownHostsLine)].join('\n'));
  const pool = new SshPool(probeConfigSchema.parse({ known_hosts: file, max_concurrent: 8, ...more }));
  onTestFinished(() => pool.close());
  const healthy = targetOn(sshd, sshd.clientKey, sshd.user, 'healthy');
  const faulty = (server: FaultServer, name = 'faulty', overrides: Partial<ProbeTarget> = {}) =>
    targetOn(server, sshd.clientKey, 'probe', name, { timeout_seconds: 1, ...overrides });
  return { pool, healthy, faulty, file };
}

/** How a promise settles, and after how many milliseconds. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value?: T; error?: ProbeError }> {
  const start = performance.now();
  try {
    const value = await promise;
    return { ms: performance.now() - start, value };
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    return { ms: performance.now() - start, error: err };
  }
}

/** Starts the faulty run, then (while it is in flight) a healthy one; both outcomes, timed. */
async function alongside<T>(faulty: Promise<T>, pool: SshPool, healthy: ProbeTarget) {
  const bad = timed(faulty);
  await new Promise((r) => setTimeout(r, 100));
  const good = await timed(pool.run(healthy, script));
  return { bad: await bad, good };
}

describe('faults, with a healthy target probed alongside', () => {
  test('slow handshake (no banner): timeout within the deadline, and the connection is closed', async () => {
    const server = await faultServer({ behaviour: { kind: 'slow-banner', delayMs: 5000 } });
    const { pool, healthy, faulty } = await setup([server]);
    await pool.run(healthy, script); // connected beforehand, as in steady state
    const { bad, good } = await alongside(pool.run(faulty(server), script), pool, healthy);
    expect(bad.error?.reason).toBe('timeout');
    expect(bad.error?.message).toMatch(/within 1s \(connecting\)/);
    expect(bad.ms).toBeGreaterThanOrEqual(950);
    expect(bad.ms).toBeLessThan(1500);
    expect(good.value?.stdout).toBe('sh 0\n');
    expect(good.ms).toBeLessThan(300);
    await waitFor(
      'the server to see the socket closed',
      async () => (server.openSockets() === 0 ? true : undefined),
      2000,
      20,
    );
  });

  test('hang after auth (command accepted, never answers): timeout, channel and connection killed', async () => {
    const server = await faultServer({ behaviour: { kind: 'hang' } });
    const { pool, healthy, faulty } = await setup([server]);
    await pool.run(healthy, script);
    const { bad, good } = await alongside(pool.run(faulty(server), script), pool, healthy);
    expect(bad.error?.reason).toBe('timeout');
    expect(bad.error?.message).toMatch(/within 1s \(running the command\)/);
    expect(bad.ms).toBeGreaterThanOrEqual(950);
    expect(bad.ms).toBeLessThan(1500);
    expect(good.ms).toBeLessThan(300);
    expect(server.execs).toHaveLength(1);
    await waitFor('channel and socket closed', async () =>
      server.channelsOpen() === 0 && server.openSockets() === 0 ? true : undefined,
    );
    // The pool forgot the hung connection: the next probe makes a new one.
    expect(pool.stats().connections).toBe(1);
  });

  test('drop mid-command: dropped at once (no retry: the command had started), partial output kept', async () => {
    const server = await faultServer({ behaviour: { kind: 'drop', stdout: 'cpu  1 2 3\nintr 4' } });
    const { pool, healthy, faulty } = await setup([server]);
    await pool.run(healthy, script);
    const { bad, good } = await alongside(
      pool.run(faulty(server, 'dropper', { timeout_seconds: 5 }), script),
      pool,
      healthy,
    );
    expect(bad.error?.reason).toBe('dropped');
    expect(bad.error?.message).toMatch(/closed mid-command/);
    expect(bad.ms).toBeLessThan(1000);
    expect(bad.error?.result?.stdout).toBe('cpu  1 2 3\nintr 4');
    expect(server.execs).toHaveLength(1);
    expect(good.value?.code).toBe(0);
    expect(good.ms).toBeLessThan(300);
  });

  test('garbage output is returned as it came (parsing it is not the transport’s job)', async () => {
    const euro = Buffer.from('€');
    const chunks = [
      Buffer.from('\u0000\u0001\u001b[31mnot /proc/stat\r\n'),
      euro.subarray(0, 1), // a multi-byte character split across two packets
      euro.subarray(1),
      Buffer.from([0xff, 0xfe, 0x80]), // not UTF-8 at all
      Buffer.from('x'.repeat(100_000)),
    ];
    const server = await faultServer({ behaviour: { kind: 'garbage', chunks } });
    const { pool, healthy, faulty } = await setup([server]);
    const { bad, good } = await alongside(
      pool.run(faulty(server, 'junk', { timeout_seconds: 5 }), script),
      pool,
      healthy,
    );
    expect(bad.error).toBeUndefined();
    expect(bad.value?.stdout).toBe(Buffer.concat(chunks).toString('utf8'));
    expect(bad.value?.stdout).toContain('€');
    expect(bad.value?.code).toBe(0);
    expect(good.value?.code).toBe(0);
  });

  test('output beyond the limit closes the channel as dropped', async () => {
    const server = await faultServer({
      behaviour: { kind: 'garbage', chunks: [Buffer.alloc(64 * 1024, 'y')] },
    });
    const { pool, faulty } = await setup([server]);
    const err = (
      await timed(pool.run(faulty(server, 'flood', { timeout_seconds: 5 }), script, { maxOutputBytes: 1000 }))
    ).error;
    expect(err?.reason).toBe('dropped');
    expect(err?.message).toContain('more than 1000 bytes');
  });

  test('the script travels on stdin of the one constant command line', async () => {
    const server = await faultServer({ behaviour: { kind: 'answer' } });
    const { pool, faulty } = await setup([server]);
    await pool.run(faulty(server), script);
    expect(server.execs).toEqual([{ command: REMOTE_COMMAND, stdin: script }]);
    expect(REMOTE_COMMAND).toBe('sh -s');
  });
});

describe('reconnect', () => {
  test('a pooled connection found dead at exec time is replaced once, transparently', async () => {
    // First connection: answers one command, then dies as the next session is requested.
    const server = await faultServer({
      behaviour: (n) =>
        n === 0 ? { kind: 'close-on-session', afterSessions: 1 } : { kind: 'answer', stdout: 'again\n' },
    });
    const { pool, faulty } = await setup([server]);
    const t = faulty(server, 'flaky', { timeout_seconds: 5 });
    expect((await pool.run(t, script)).stdout).toBe('ok\n');
    expect((await pool.run(t, script)).stdout).toBe('again\n');
    expect(server.connections()).toBe(2);
    expect(pool.stats().opened).toBe(2);
  });

  test('a fresh connection that dies before the command is not retried', async () => {
    const server = await faultServer({ behaviour: { kind: 'close-on-session' } });
    const { pool, faulty } = await setup([server]);
    const err = (await timed(pool.run(faulty(server, 'dies', { timeout_seconds: 5 }), script))).error;
    expect(err?.reason).toBe('dropped');
    expect(server.connections()).toBe(1);
  });
});

describe('password authentication', () => {
  const password = 'correct horse battery staple';

  test('used only when password_file is configured; never in a message', async () => {
    const server = await faultServer({ behaviour: { kind: 'answer' }, password });
    const { pool, faulty } = await setup([server]);
    const dir = await tempDir('pw');
    const good = path.join(dir, 'good');
    const bad = path.join(dir, 'bad');
    await writeFile(good, `${password}\n`, { mode: 0o600 });
    await writeFile(bad, 'wrong password\n', { mode: 0o600 });
    const passwordOnly = { key_file: undefined, timeout_seconds: 5 };

    expect(
      (await pool.run(faulty(server, 'pw', { ...passwordOnly, password_file: good }), script)).code,
    ).toBe(0);
    const err = (
      await timed(pool.run(faulty(server, 'pw-bad', { ...passwordOnly, password_file: bad }), script))
    ).error;
    expect(err?.reason).toBe('auth');
    expect(err?.message).not.toContain('wrong password');
    expect(JSON.stringify(err)).not.toContain('wrong password');
    expect(server.passwordsOffered).toContain(password);

    // A key-only target never offers a password.
    const offered = server.passwordsOffered.length;
    const keyOnly = await faultServer({ behaviour: { kind: 'answer' } });
    const second = await setup([keyOnly]);
    await second.pool.run(second.faulty(keyOnly, 'key-only'), script);
    expect(keyOnly.passwordsOffered).toEqual([]);
    expect(server.passwordsOffered.length).toBe(offered);
  });
});

describe('global concurrency limit', () => {
  test('max_concurrent 2: six slow targets never have more than two commands in flight', async () => {
    const server = await faultServer({ behaviour: { kind: 'answer', delayMs: 300 } });
    const { pool, faulty } = await setup([server], { max_concurrent: 2 });
    const targets = Array.from({ length: 6 }, (_, i) => faulty(server, `slow-${i}`, { timeout_seconds: 5 }));
    const start = performance.now();
    const runs = targets.map((t) => pool.run(t, script));
    expect(pool.stats()).toMatchObject({ active: 2, queued: 4 });
    const results = await Promise.all(runs);
    const elapsed = performance.now() - start;
    expect(results.every((r) => r.stdout === 'ok\n')).toBe(true);
    expect(server.maxChannelsOpen()).toBe(2);
    expect(server.execs).toHaveLength(6);
    // Three waves of 300 ms.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    // The queue's wait is not part of a target's timeout: the last wave still succeeds.
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0, connections: 6 });
  });

  test('a queued run can be cancelled; it fails as timeout without connecting', async () => {
    const server = await faultServer({ behaviour: { kind: 'answer', delayMs: 300 } });
    const { pool, faulty } = await setup([server], { max_concurrent: 1 });
    const first = pool.run(faulty(server, 'first', { timeout_seconds: 5 }), script);
    const controller = new AbortController();
    const queued = timed(
      pool.run(faulty(server, 'second', { timeout_seconds: 5 }), script, { signal: controller.signal }),
    );
    controller.abort();
    expect((await queued).error?.reason).toBe('timeout');
    await first;
    expect(server.connections()).toBe(1);
  });
});
