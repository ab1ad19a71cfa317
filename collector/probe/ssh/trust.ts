import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProbeTarget } from '../config.ts';
import { type Connection, connectTarget, describeTarget, loadKnownHosts } from './connect.ts';
import { classifyError, ProbeError } from './errors.ts';
import { fingerprint, type HostKey, parsePublicKey } from './host-key.ts';
import { forwardThrough, jumpChain } from './jump.ts';
import {
  checkHostKey,
  forgetHint,
  formatKnownHostsLine,
  knownHostsName,
  parseKnownHosts,
} from './known-hosts.ts';

/**
 * `tierwise probe trust <target>`: fetch the key a target presents so a person can compare its
 * fingerprint with the machine's own (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` there), then
 * record it. Nothing is trusted here without that step.
 */

/** A presented host key, and what known_hosts already says about it. */
export interface PresentedHostKey {
  /** "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"… */
  type: string;
  /** OpenSSH's format, as `ssh-keygen -l` prints it: "SHA256:" and unpadded base64. */
  fingerprint: string;
  /** The key itself, base64, as it goes into known_hosts. */
  key: string;
  /** The name known_hosts knows the target by: "host", or "[host]:port" for a port other than 22. */
  name: string;
  /**
   * new: known_hosts has no key for this name; known: it has this one; changed: it has others (the
   * probe refuses the target until the old line is removed); revoked: listed under @revoked.
   */
  status: 'new' | 'known' | 'changed' | 'revoked';
}

export interface TrustOptions {
  /** The configured targets, for the target's jump host(s). */
  targets?: readonly ProbeTarget[];
  /** Default: the target's timeout_seconds. */
  timeoutMs?: number;
}

/**
 * Connects to a target (through its jump hosts, which must already be trusted and authenticate as for
 * a probe), reads the host key it presents and disconnects before authenticating.
 */
export async function trustHostKey(
  target: ProbeTarget,
  knownHostsFile: string,
  options: TrustOptions = {},
): Promise<PresentedHostKey> {
  const chain = jumpChain(target, options.targets ?? []);
  const timeoutMs = options.timeoutMs ?? target.timeout_seconds * 1000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const opened: Connection[] = [];
  let presented: HostKey | undefined;
  try {
    let via: Connection | undefined;
    for (const hop of chain.slice(0, -1)) {
      const where = describeTarget(hop, via?.target.name);
      const sock = via ? await forwardThrough(via, hop, { signal: deadline, timeoutMs, where }) : undefined;
      via = await connectTarget(hop, {
        knownHostsFile,
        keepaliveMs: 0,
        signal: deadline,
        timeoutMs,
        ...(sock ? { sock, via: via?.target.name } : {}),
      });
      opened.push(via);
    }
    const where = describeTarget(target, via?.target.name);
    const sock = via ? await forwardThrough(via, target, { signal: deadline, timeoutMs, where }) : undefined;
    try {
      const conn = await connectTarget(target, {
        knownHostsFile,
        keepaliveMs: 0,
        signal: deadline,
        timeoutMs,
        captureHostKey: (key) => {
          presented = key;
        },
        ...(sock ? { sock, via: via?.target.name } : {}),
      });
      // Not reached: capturing refuses the key, which ends the handshake.
      conn.destroy();
    } catch (err) {
      if (presented === undefined) throw err;
    }
  } catch (err) {
    throw classifyError(err, {
      where: describeTarget(target),
      timeoutMs,
      timedOut: deadline.aborted,
      phase: 'connect',
    });
  } finally {
    for (const conn of opened) conn.end();
  }
  if (presented === undefined) throw new ProbeError('host_key', 'the target presented no host key');

  const verdict = checkHostKey(await loadKnownHosts(knownHostsFile), target.host, target.port, presented);
  return {
    type: presented.type,
    fingerprint: fingerprint(presented.blob),
    key: presented.blob.toString('base64'),
    name: knownHostsName(target.host, target.port),
    status: verdict.ok ? 'known' : verdict.status === 'unknown' ? 'new' : verdict.status,
  };
}

/**
 * Appends a known_hosts line for the target's host:port and key (hashed, as HashKnownHosts writes
 * them, when `hash` is set), creating the file (0600) and its directory (0700) if needed. A key already
 * recorded for that name is not written twice; a name that holds another key (changed) or a revoked
 * key is refused. Returns the line (new or existing).
 */
export async function recordHostKey(
  file: string,
  target: Pick<ProbeTarget, 'host' | 'port'>,
  key: Pick<PresentedHostKey, 'type' | 'key'>,
  options: { hash?: boolean } = {},
): Promise<string> {
  const hostKey = parsePublicKey(`${key.type} ${key.key}`);
  // Throws for a host that would not be one name in the line (whitespace, commas, newlines…).
  const line = formatKnownHostsLine(target.host, target.port, hostKey, options.hash ?? false);
  let existing = '';
  try {
    existing = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const known = parseKnownHosts(existing);
  const already = checkHostKey(known, target.host, target.port, hostKey);
  if (already.ok) return existing.split(/\r?\n/)[already.line - 1] ?? line;
  if (already.status === 'revoked')
    throw new Error('refusing to record a key that known_hosts lists as @revoked');
  // Appending beside a changed key would keep trusting the old one (an attacker's, or the old disk's).
  if (already.status === 'changed') {
    const name = knownHostsName(target.host, target.port);
    throw new Error(
      `known_hosts already holds another key for ${name}; if the machine was reinstalled, remove ` +
        `it first: ${forgetHint(name, file)}`,
    );
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${separator}${line}\n`, { mode: 0o600 });
  return line;
}
