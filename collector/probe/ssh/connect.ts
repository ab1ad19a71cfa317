import { readFile } from 'node:fs/promises';
import { isIP, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Config, NodeSSH } from 'node-ssh';
import type {
  AuthenticationType,
  CipherAlgorithm,
  Client,
  ConnectConfig,
  KexAlgorithm,
  MacAlgorithm,
  ServerHostKeyAlgorithm,
} from 'ssh2';
import type { ProbeTarget } from '../config.ts';
import { classifyError, ProbeError, quoted, shellWord } from './errors.ts';
import { algorithmsFor, type HostKey, hostKeyFromBlob } from './host-key.ts';
import {
  checkHostKey,
  describeRefusal,
  type KnownHosts,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
} from './known-hosts.ts';

/**
 * Opens one authenticated SSH session to one target (node-ssh over ssh2), verifying its host key against
 * known_hosts first. Everything from the target's config travels as data: the host goes to the socket
 * API, the user into the SSH userauth packet, the files are read here; nothing reaches a shell.
 */

export interface ConnectOptions {
  knownHostsFile: string;
  /** SSH keepalive interval; three unanswered keepalives close the connection (ssh2's default count). */
  keepaliveMs: number;
  /** The run's deadline: when it aborts, the socket is destroyed and the attempt fails as `timeout`. */
  signal: AbortSignal;
  /** The deadline's length, for messages. */
  timeoutMs: number;
  /** A stream to the target through a jump host; without it a TCP connection is made to host:port. */
  sock?: Duplex;
  /** The jump host's name, for messages. */
  via?: string;
  /**
   * Trust mode (`tierwise probe trust`): hand the presented host key to this function and refuse the
   * connection right after, instead of verifying the key (no authentication is attempted).
   */
  captureHostKey?: (key: HostKey) => void;
}

/** An established session. `alive` turns false for good once the connection ends. */
export class Connection {
  private destroyed = false;

  constructor(
    readonly target: ProbeTarget,
    readonly where: string,
    readonly ssh: NodeSSH,
    readonly client: Client,
    private readonly sock: Duplex,
    private readonly watch: ClientWatch,
  ) {}

  get alive(): boolean {
    return !this.destroyed && !this.watch.ended && this.ssh.connection === this.client;
  }

  /** Resolves when the connection has closed, for whatever reason. */
  get closed(): Promise<void> {
    return this.watch.closed;
  }

  /** Ends the session politely (SSH disconnect), and hard after a second if the peer does not close. */
  end(): void {
    if (this.watch.ended) return;
    this.client.end();
    const timer = setTimeout(() => this.destroy(), 1000);
    timer.unref();
    void this.closed.then(() => clearTimeout(timer));
  }

  /** Drops the connection at once (timeouts, close). */
  destroy(): void {
    this.destroyed = true;
    this.sock.destroy();
    this.client.destroy();
  }
}

/** What the listeners attached before the handshake have seen. */
interface ClientWatch {
  ended: boolean;
  lastError: Error | undefined;
  closed: Promise<void>;
}

/**
 * node-ssh creates its ssh2 Client inside connect() and removes its own 'error' listener once the
 * session is ready. An 'error' after that (a reset socket, a keepalive timeout, a hostile peer's bad
 * packet sent right behind the auth success) would find no listener and crash the whole collector.
 * Intercepting node-ssh's assignment of `connection` lets us attach ours before the handshake starts.
 */
function watchedNodeSsh(): { ssh: NodeSSH; watch: ClientWatch; client: () => Client | undefined } {
  const ssh = new NodeSSH();
  let current: Client | null = null;
  let first: Client | undefined;
  let markClosed: () => void = () => {};
  const watch: ClientWatch = {
    ended: false,
    lastError: undefined,
    closed: new Promise<void>((resolve) => {
      markClosed = resolve;
    }),
  };
  Object.defineProperty(ssh, 'connection', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (client: Client | null) => {
      if (client !== null && first === undefined) {
        first = client;
        client.on('error', (err: Error) => {
          watch.lastError = err;
        });
        client.on('end', () => {
          watch.ended = true;
        });
        client.on('close', () => {
          watch.ended = true;
          markClosed();
        });
      }
      current = client;
    },
  });
  return { ssh, watch, client: () => first };
}

/**
 * A host to open a socket to (or to ask a jump host for): a DNS name or an IP literal. Anything else
 * (spaces, quotes, `$(…)`, newlines) is refused before any lookup, so a hostile value costs nothing and
 * reaches no resolver.
 */
export function validHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  return host.length <= 253 && /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_-]+)*\.?$/.test(host);
}

/** "[host]:port" (as known_hosts names it), with the jump host if any, for messages. */
export function describeTarget(target: ProbeTarget, via?: string): string {
  const name = validHost(target.host) ? `[${target.host}]:${target.port}` : quoted(target.host);
  return via === undefined ? name : `${name} via jump ${quoted(via)}`;
}

/** The trust command for a target, as people can paste it into a shell. */
export function trustHint(target: ProbeTarget): string {
  return `tierwise probe trust ${shellWord(target.name)}`;
}

/** Reads known_hosts; a missing file is an empty one (every host unknown), any other failure refuses. */
export async function loadKnownHosts(file: string): Promise<KnownHosts> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { entries: [], problems: [] };
    throw new ProbeError('host_key', `cannot read known_hosts ${quoted(file)} (${code ?? 'error'})`, {
      cause: err,
    });
  }
}

/** The credentials a target names, read now (so a rotated key or password needs no restart). */
async function readCredentials(target: ProbeTarget): Promise<{ privateKey?: string; password?: string }> {
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      // The path is config, not a secret; the content never appears in a message.
      throw new ProbeError('auth', `cannot read ${what} ${quoted(file)} (${code})`);
    }
  };
  const credentials: { privateKey?: string; password?: string } = {};
  if (target.key_file !== undefined) credentials.privateKey = await read(target.key_file, 'key_file');
  if (target.password_file !== undefined) {
    // One trailing newline is the file's, not the password's (echo secret > file).
    credentials.password = (await read(target.password_file, 'password_file')).replace(/\r?\n$/, '');
  }
  return credentials;
}

const defaultHostKeyAlgorithms: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];
const supportedHostKeyAlgorithms = new Set<string>([...defaultHostKeyAlgorithms, 'ssh-dss']);

/**
 * The host key algorithms to offer, the ones of keys known for this host first (as OpenSSH orders
 * them): a server with several host keys then shows the one we know rather than one we would call
 * changed.
 */
function hostKeyAlgorithms(knownTypes: string[]): ServerHostKeyAlgorithm[] {
  const preferred = knownTypes
    .flatMap(algorithmsFor)
    .filter((a): a is ServerHostKeyAlgorithm => supportedHostKeyAlgorithms.has(a));
  return [...new Set([...preferred, ...defaultHostKeyAlgorithms])];
}

/**
 * What a Pentium II's OpenSSH 4.x or an old Dropbear can agree on, appended after ssh2's defaults so a
 * modern server still gets a modern choice (probe.targets[].legacy_algorithms).
 */
// ssh2 takes any of append/prepend/remove; its type declarations want all three.
const appended = <T>(append: T[]) => ({ append, prepend: [] as T[], remove: [] as T[] });
const LEGACY_ALGORITHMS = {
  kex: appended<KexAlgorithm>([
    'diffie-hellman-group14-sha1',
    'diffie-hellman-group-exchange-sha1',
    'diffie-hellman-group1-sha1',
  ]),
  cipher: appended<CipherAlgorithm>(['aes128-cbc', 'aes256-cbc', '3des-cbc']),
  hmac: appended<MacAlgorithm>(['hmac-sha1']),
} satisfies Config['algorithms'];

/** Opens and authenticates a session, or fails with a classified ProbeError. */
export async function connectTarget(target: ProbeTarget, options: ConnectOptions): Promise<Connection> {
  const where = describeTarget(target, options.via);
  const context = { where, timeoutMs: options.timeoutMs, phase: 'connect' as const };
  if (options.signal.aborted) throw classifyError(new Error('aborted'), { ...context, timedOut: true });
  if (!validHost(target.host))
    throw new ProbeError('unreachable', `invalid host name ${quoted(target.host)}`);

  const capture = options.captureHostKey;
  const credentials = capture ? {} : await readCredentials(target);
  const known = capture ? undefined : await loadKnownHosts(options.knownHostsFile);

  let hostKeyRefusal: string | undefined;
  const hostVerifier = (blob: Buffer): boolean => {
    let key: HostKey;
    try {
      key = hostKeyFromBlob(blob);
    } catch {
      hostKeyRefusal = `${where} presented a malformed host key`;
      return false;
    }
    if (capture) {
      capture(key);
      return false;
    }
    if (known === undefined) return false;
    const verdict = checkHostKey(known, target.host, target.port, key);
    if (verdict.ok) return true;
    hostKeyRefusal = describeRefusal(
      verdict,
      knownHostsName(target.host, target.port),
      key,
      trustHint(target),
      options.knownHostsFile,
    );
    return false;
  };

  const sock = options.sock ?? new Socket().connect({ host: target.host, port: target.port });
  if (sock instanceof Socket) sock.setNoDelay(true);
  // Errors are reported through ssh2 (which listens too); this one only keeps an early error from
  // being unhandled in the moment before ssh2 attaches.
  sock.on('error', () => {});
  const onAbort = () => sock.destroy();
  options.signal.addEventListener('abort', onAbort, { once: true });

  const methods: AuthenticationType[] = [];
  if (credentials.privateKey !== undefined) methods.push('publickey');
  if (credentials.password !== undefined) methods.push('password', 'keyboard-interactive');
  const config: Config = {
    sock: sock as ConnectConfig['sock'],
    username: target.user,
    // With no credential (trust mode) the handshake ends at the host key anyway.
    authHandler: methods.length > 0 ? methods : ['none'],
    hostVerifier,
    algorithms: {
      serverHostKey: known
        ? hostKeyAlgorithms(knownKeyTypes(known, target.host, target.port))
        : // Trust mode: an old box whose only host key is DSA can still show it (last resort, and the
          // person sees the type); afterwards it is offered only because known_hosts names it.
          [...defaultHostKeyAlgorithms, 'ssh-dss'],
      ...(target.legacy_algorithms ? LEGACY_ALGORITHMS : {}),
    },
    keepaliveInterval: options.keepaliveMs,
    keepaliveCountMax: 3,
    // Our deadline governs; ssh2's own handshake timer is only a backstop behind it.
    readyTimeout: options.timeoutMs + 5000,
  };
  if (credentials.privateKey !== undefined) config.privateKey = credentials.privateKey;
  if (credentials.password !== undefined) {
    config.password = credentials.password;
    // node-ssh answers keyboard-interactive password prompts with it (servers with PAM ask that way).
    config.tryKeyboard = true;
  }

  const { ssh, watch, client } = watchedNodeSsh();
  try {
    await ssh.connect(config);
  } catch (err) {
    sock.destroy();
    const message = (err as Error).message ?? '';
    if (/privateKey|private OpenSSH key|passphrase/i.test(message))
      throw new ProbeError('auth', `cannot use key_file ${quoted(target.key_file ?? '')}: ${message}`);
    // node-ssh reports a socket closed before 'ready' as "No response from server"; ssh2's own error,
    // when there was one, says why.
    const cause = /No response from server/.test(message) && watch.lastError ? watch.lastError : err;
    throw classifyError(cause, { ...context, timedOut: options.signal.aborted, hostKeyRefusal });
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  const c = client();
  if (c === undefined) throw new ProbeError('dropped', `no SSH session with ${where}`);
  return new Connection(target, where, ssh, c, sock, watch);
}
