import { randomBytes } from 'node:crypto';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { tempDir } from '../../../test/support/fixtures.ts';
import { probeFailure } from '../../../test/support/probe-errors.ts';
import { type FaultServer, startFaultServer } from '../../../test/support/ssh-fault-server.ts';
import { type Sshd, startSshd, targetOn } from '../../../test/support/sshd.ts';
import { type ProbeTarget, probeConfigSchema } from '../config.ts';
import { REMOTE_COMMAND } from './exec.ts';
import { SshPool } from './pool.ts';
import { trustHostKey } from './trust.ts';

/**
 * Target names and config values that would do harm if they ever reached a shell (here or on the
 * target) are carried as data only: the command line is always REMOTE_COMMAND, the script is the
 * caller's constant, and a host that is no host name fails before any lookup or connection.
 */

/** "$0 $#" shows the script ran as `sh -s` with no arguments: nothing was appended or interpolated. */
const script = 'echo "$0 $#"';

let sshd: Sshd;
let fault: FaultServer;
/** Every hostile value writes here if it is ever executed, locally or on the target (same machine). */
let markerDir: string;
beforeAll(async () => {
  sshd = await startSshd();
  fault = await startFaultServer({
    behaviour: { kind: 'answer', stdout: 'fault-ok\n' },
    authorizedKey: sshd.clientKey.publicLine,
  });
});
afterAll(async () => {
  await fault?.close();
  await sshd?.stop();
});

function hostile(dir: string): string[] {
  const mark = path.join(dir, `pwned-${randomBytes(4).toString('hex')}`);
  return [
    `; rm -rf ${dir}/nothing; touch ${mark}-1`,
    `$(touch ${mark}-2)`,
    `\`touch ${mark}-3\``,
    `x\ntouch ${mark}-4\n`,
    `'; touch ${mark}-5; '`,
    `"; touch ${mark}-6; "`,
    `| touch ${mark}-7`,
    `-oProxyCommand=touch ${mark}-8`,
  ];
}

async function setup() {
  markerDir = await tempDir('hostile');
  // World-writable, so a value run on the target as the unprivileged user could leave its mark too.
  await chmod(markerDir, 0o777);
  const file = path.join(await tempDir('kh'), 'known_hosts');
  await writeFile(file, `${sshd.knownHostsLine}\n${fault.knownHostsLine}\n`);
  return { file, values: hostile(markerDir) };
}

function pool(file: string, targets: ProbeTarget[] = []): SshPool {
  const p = new SshPool(probeConfigSchema.parse({ known_hosts: file, targets }));
  onTestFinished(() => p.close());
  return p;
}

async function expectNoMarks(): Promise<void> {
  expect(await readdir(markerDir)).toEqual([]);
}

describe('hostile target names and config values', () => {
  test('hostile names: the command run is exactly the constant', async () => {
    const { file, values } = await setup();
    const p = pool(file);
    for (const name of values) {
      const onSshd = await p.run(targetOn(sshd, sshd.clientKey, sshd.user, name), script);
      expect(onSshd).toEqual({ stdout: 'sh 0\n', stderr: '', code: 0 });
      await p.run(targetOn(fault, sshd.clientKey, 'probe', name), script);
    }
    // What reached the server, every time: the constant command line, and the script on stdin.
    expect(new Set(fault.execs.map((e) => JSON.stringify(e)))).toEqual(
      new Set([JSON.stringify({ command: REMOTE_COMMAND, stdin: script })]),
    );
    await expectNoMarks();
  });

  test('a hostile name as a jump host is only a name', async () => {
    const { file, values } = await setup();
    const jumpName = values[1] as string;
    const jump = targetOn(sshd, sshd.clientKey, sshd.user, jumpName);
    const inner = targetOn(sshd, sshd.clientKey, sshd.user, values[3] as string, { jump: jumpName });
    const p = pool(file, [jump, inner]);
    expect((await p.run(inner, script)).stdout).toBe('sh 0\n');
    await expectNoMarks();
  });

  test('hostile users fail authentication and run nothing', async () => {
    const { file, values } = await setup();
    const p = pool(file);
    for (const user of values) {
      const err = await probeFailure(p.run(targetOn(sshd, sshd.clientKey, user, 'hostile-user'), script));
      expect(err.reason).toBe('auth');
    }
    await expectNoMarks();
  });

  test('hostile hosts fail as unreachable at once, before any lookup or connection', async () => {
    const { file, values } = await setup();
    const p = pool(file);
    const connections = fault.connections();
    const logins = sshd.logins();
    for (const host of [...values, '127.0.0.1 ', '127.0.0.1\n', 'localhost;id', '']) {
      const start = performance.now();
      const err = await probeFailure(p.run(targetOn(fault, sshd.clientKey, 'probe', 'h', { host }), script));
      expect(err.reason).toBe('unreachable');
      expect(err.message).toMatch(/^invalid host name "/);
      expect(err.message).not.toContain('\n');
      expect(performance.now() - start).toBeLessThan(50);
      await expect(
        trustHostKey(targetOn(fault, sshd.clientKey, 'probe', 'h', { host }), file),
      ).rejects.toMatchObject({
        reason: 'unreachable',
      });
    }
    expect(fault.connections()).toBe(connections);
    expect(sshd.logins()).toBe(logins);
    await expectNoMarks();
  });

  test('hostile key and password file paths are only paths', async () => {
    const { file, values } = await setup();
    const p = pool(file);
    for (const value of values) {
      const byKey = await probeFailure(
        p.run(targetOn(sshd, sshd.clientKey, sshd.user, 'k', { key_file: value }), script),
      );
      expect(byKey.reason).toBe('auth');
      expect(byKey.message).toMatch(/^cannot read key_file "/);
      const byPassword = await probeFailure(
        p.run(
          targetOn(sshd, sshd.clientKey, sshd.user, 'p', { key_file: undefined, password_file: value }),
          script,
        ),
      );
      expect(byPassword.reason).toBe('auth');
      expect(byPassword.message).not.toContain('\n');
    }
    await expectNoMarks();
  });

  test('a hostile name in a refusal message stays one line and pastes as one inert word', async () => {
    const { values } = await setup();
    const p = pool(path.join(markerDir, 'empty_known_hosts'));
    const name = values[3] as string; // has newlines
    const err = await probeFailure(p.run(targetOn(sshd, sshd.clientKey, sshd.user, name), script));
    expect(err.reason).toBe('host_key');
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain("tierwise probe trust 'x?touch ");
  });
});
