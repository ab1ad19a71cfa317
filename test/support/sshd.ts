import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ProbeTarget } from '../../collector/probe/config.ts';
import { descendants } from './proc-tree.ts';
import { freePort, type Started, startProcess, waitFor } from './processes.ts';

/**
 * Debian's real OpenSSH server for the SSH probe's tests: /usr/sbin/sshd in the foreground (-D), logging
 * to stderr (-e), on 127.0.0.1 and a free port, with a throwaway ed25519 host key and one authorised
 * key, both made by the real ssh-keygen. Logins are as an unprivileged user, tierwise-test, created
 * on first use when the tests run as root (sshd refuses root unless told otherwise); run as another
 * user, sshd can only let that same user in, so that user is the one.
 */

const run = promisify(execFile);

export const sshdPath = '/usr/sbin/sshd';
export const sshKeygenPath = '/usr/bin/ssh-keygen';
export const testUser = 'tierwise-test';

export interface KeyPair {
  /** Private key file (OpenSSH format, no passphrase). */
  privateFile: string;
  /** The public key line: "ssh-ed25519 AAAA… comment". */
  publicLine: string;
}

/** A key pair made by the real ssh-keygen. */
export async function generateKey(dir: string, name: string, type = 'ed25519'): Promise<KeyPair> {
  const privateFile = path.join(dir, name);
  await run(sshKeygenPath, ['-q', '-t', type, '-N', '', '-C', `tierwise-test-${name}`, '-f', privateFile]);
  return { privateFile, publicLine: (await readFile(`${privateFile}.pub`, 'utf8')).trim() };
}

async function userExists(user: string): Promise<boolean> {
  try {
    await run('id', ['-u', user]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The user sshd lets the tests in as. As root: tierwise-test, a system user with a home and /bin/sh,
 * created when absent (useradd; test files running side by side may race, hence the re-check), with
 * the password field "*" rather than useradd's "!", which sshd without PAM takes for a locked account.
 * Falls back to root (PermitRootLogin prohibit-password) when users cannot be created.
 */
export async function ensureTestUser(): Promise<{ user: string; permitRoot: boolean }> {
  if (process.getuid?.() !== 0) return { user: userInfo().username, permitRoot: false };
  for (let attempt = 0; attempt < 10 && !(await userExists(testUser)); attempt++) {
    try {
      await run('useradd', ['--system', '--create-home', '--shell', '/bin/sh', testUser]);
    } catch {
      // Another test file got there first, or /etc/passwd is locked for a moment: look again.
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  if (!(await userExists(testUser))) return { user: 'root', permitRoot: true };
  await run('usermod', ['-p', '*', testUser]).catch(() => undefined);
  return { user: testUser, permitRoot: false };
}

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  /** The user to log in as, with `clientKey`. */
  user: string;
  clientKey: KeyPair;
  /** The server's ed25519 host key: "ssh-ed25519 AAAA…". */
  hostKey: string;
  /** Every host key it has, by type ("ed25519", "ecdsa"…), as "type base64" lines. */
  hostKeys: Record<string, string>;
  /** Its known_hosts line: "[127.0.0.1]:<port> ssh-ed25519 AAAA…". */
  knownHostsLine: string;
  /** A directory for the test's files (removed by stop()), readable by the login user. */
  dir: string;
  /** sshd's log (stderr). */
  output: () => string;
  /** Successful logins so far ("Accepted publickey for …" lines): one per SSH connection. */
  logins: () => number;
  /** Kills every per-connection sshd process (and what runs under it): the server side drops them all. */
  dropConnections: () => Promise<number>;
  /** Sends a signal to every per-connection process: SIGSTOP freezes the sessions, SIGCONT thaws them. */
  signalConnections: (signal: NodeJS.Signals) => Promise<number>;
  stop: () => Promise<void>;
}

/**
 * Starts sshd; call stop() when done (afterAll). `hostKeyTypes`: the host keys it has besides ed25519
 * (which comes first), for tests of hosts with several keys.
 */
export async function startSshd(
  options: { extraHostKeyTypes?: string[] /** More sshd_config lines. */; extraConfig?: string[] } = {},
): Promise<Sshd> {
  const { user, permitRoot } = await ensureTestUser();
  const dir = await mkdtemp(path.join(tmpdir(), 'tierwise-sshd-'));
  // sshd reads authorized_keys as the login user.
  await chmod(dir, 0o755);
  const hostKeyPair = await generateKey(dir, 'ssh_host_ed25519_key');
  const hostKeys: Record<string, string> = { ed25519: bare(hostKeyPair.publicLine) };
  const hostKeyFiles = [hostKeyPair.privateFile];
  for (const type of options.extraHostKeyTypes ?? []) {
    const pair = await generateKey(dir, `ssh_host_${type}_key`, type);
    hostKeys[type] = bare(pair.publicLine);
    hostKeyFiles.push(pair.privateFile);
  }
  const clientKey = await generateKey(dir, 'client_ed25519');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${clientKey.publicLine}\n`, { mode: 0o644 });
  // The privilege-separation directory sshd insists on (Debian creates it only when the service starts).
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    ...hostKeyFiles.map((f) => `HostKey ${f}`),
    'PidFile none',
    'UsePAM no',
    'StrictModes no',
    `AuthorizedKeysFile ${authorizedKeys}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    `PermitRootLogin ${permitRoot ? 'prohibit-password' : 'no'}`,
    `AllowUsers ${user}`,
    'AllowTcpForwarding yes',
    'X11Forwarding no',
    'PrintMotd no',
    'LogLevel VERBOSE',
    // Tests open many connections at once; OpenSSH's default 10:30:100 would drop some handshakes.
    'MaxStartups 200',
    'MaxSessions 50',
    ...(options.extraConfig ?? []),
  ].join('\n');
  const configFile = path.join(dir, 'sshd_config');
  await writeFile(configFile, `${config}\n`, { mode: 0o600 });

  const started: Started = startProcess(sshdPath, ['-D', '-e', '-f', configFile]);
  // Counted as the log streams by (output() keeps only its tail).
  let logins = 0;
  let partial = '';
  started.child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    logins += lines.filter((l) => l.startsWith('Accepted publickey for ')).length;
  });
  const stop = async () => {
    await started.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'sshd to listen',
      async () => {
        if (started.child.exitCode !== null) throw new Error(`sshd exited: ${started.output()}`);
        return started.output().includes(`Server listening on 127.0.0.1 port ${port}`) ? true : undefined;
      },
      15_000,
      50,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  const pid = started.child.pid;
  return {
    host: '127.0.0.1',
    port,
    user,
    clientKey,
    hostKey: hostKeys.ed25519 as string,
    hostKeys,
    knownHostsLine: `[127.0.0.1]:${port} ${hostKeys.ed25519}`,
    dir,
    output: started.output,
    logins: () => logins,
    dropConnections: () => signalDescendants(pid, 'SIGKILL'),
    signalConnections: (signal) => signalDescendants(pid, signal),
    stop,
  };
}

/** "type base64" of a public key line, without its comment. */
function bare(publicLine: string): string {
  return publicLine.split(' ').slice(0, 2).join(' ');
}

/** Signals the processes below our sshd (only those: its per-connection children and theirs). */
async function signalDescendants(pid: number | undefined, signal: NodeJS.Signals): Promise<number> {
  if (pid === undefined) return 0;
  const victims = await descendants(pid);
  for (const victim of victims) {
    try {
      process.kill(victim, signal);
    } catch {
      // Already gone.
    }
  }
  return victims.length;
}

/** A probe target for a server (this sshd, or a fault server given its port), key auth, 5 s timeout. */
export function targetOn(
  server: { host: string; port: number },
  key: KeyPair,
  user: string,
  name: string,
  overrides: Partial<ProbeTarget> = {},
): ProbeTarget {
  return {
    name,
    host: server.host,
    port: server.port,
    user,
    key_file: key.privateFile,
    timeout_seconds: 5,
    legacy_algorithms: false,
    ...overrides,
  };
}
