/**
 * Why a probe over SSH failed. The reason is short and bounded because it becomes a label value
 * (tierwise_probe_info{reason=…}); the message is for people and logs and never holds a secret: passwords
 * and key material are never put into one, and target data (names, hosts, users) only through `quoted`.
 */
export type ProbeErrorReason =
  /** The server refused every configured credential, or a key/password file could not be used. */
  | 'auth'
  /** The host key is unknown, changed or revoked: never trusted silently. */
  | 'host_key'
  /** No answer within the target's timeout (connect, handshake, auth and command together). */
  | 'timeout'
  /** TCP connection refused (ECONNREFUSED), or the SSH handshake (or a jump host) refused us. */
  | 'refused'
  /** No route or no such host (EHOSTUNREACH, ENETUNREACH, ENOTFOUND…), or a host that is no host name. */
  | 'unreachable'
  /** The connection closed before the command finished (or sent more than we accept). */
  | 'dropped'
  /** The command ran and exited with a status other than 0, or was killed by a signal. */
  | 'exit';

export const probeErrorReasons: readonly ProbeErrorReason[] = [
  'auth',
  'host_key',
  'timeout',
  'refused',
  'unreachable',
  'dropped',
  'exit',
];

/** What the remote command left behind: its output and exit status (null when killed by a signal). */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  /** The command's output, for `exit` failures (the caller may still want to read it). */
  readonly result: RunResult | undefined;

  constructor(
    readonly reason: ProbeErrorReason,
    message: string,
    options: { cause?: unknown; result?: RunResult } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.result = options.result;
  }
}

/**
 * A value from a target's config for a message: JSON-quoted (so a newline shows as \n and cannot forge
 * a log line) and cut short.
 */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/**
 * A target name as one shell word, for the `tierwise probe trust <name>` hint people copy into a
 * shell: bare when it is plainly safe, else single-quoted, with control characters shown as `?` (a
 * wrong name is harmless, a newline in a pasted command is not).
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9._:@%+=,/-]+$/.test(value)) return value;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  const printable = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return `'${printable.replaceAll("'", `'\\''`)}'`;
}

/** Node's and ssh2's error codes that say where a connection failed. */
const unreachableCodes = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EADDRNOTAVAIL',
  'EHOSTDOWN',
  'ENETDOWN',
]);

/** What a failed connection attempt knew besides the error itself. */
export interface FailureContext {
  /** Where: "[127.0.0.1]:2222", or "… via jump \"b\"". */
  where: string;
  /** The target's own deadline passed (or the caller cancelled). */
  timedOut: boolean;
  timeoutMs: number;
  /** A host-key refusal recorded by the verifier: it explains the handshake error that follows. */
  hostKeyRefusal?: string;
  /** The SSH session was established (after 'ready'): a close now is a drop, not a refusal. */
  phase: 'connect' | 'command';
}

/**
 * Any failure of a connection attempt or command as a ProbeError. ssh2's errors carry a `level`
 * (client-socket, client-timeout, client-authentication, protocol, handshake) and sockets a `code`;
 * node-ssh adds "No response from server" when the socket closes before the session is ready.
 */
export function classifyError(err: unknown, ctx: FailureContext): ProbeError {
  if (err instanceof ProbeError) return err;
  const e = (err ?? {}) as { message?: unknown; code?: unknown; level?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const level = typeof e.level === 'string' ? e.level : undefined;
  const opts = { cause: err };
  const seconds = `${Math.round(ctx.timeoutMs / 100) / 10}s`;

  if (ctx.hostKeyRefusal !== undefined) return new ProbeError('host_key', ctx.hostKeyRefusal, opts);
  if (ctx.timedOut)
    return new ProbeError(
      'timeout',
      `no answer from ${ctx.where} within ${seconds} (${ctx.phase === 'connect' ? 'connecting' : 'running the command'})`,
      opts,
    );
  if (level === 'client-authentication')
    return new ProbeError('auth', `authentication failed at ${ctx.where}`, opts);
  if (code === 'ECONNREFUSED') return new ProbeError('refused', `connection refused by ${ctx.where}`, opts);
  if (code !== undefined && unreachableCodes.has(code))
    return new ProbeError('unreachable', `cannot reach ${ctx.where} (${code})`, opts);
  if (code === 'ETIMEDOUT' && level === 'client-socket')
    return new ProbeError('timeout', `TCP connection to ${ctx.where} timed out`, opts);
  if (level === 'client-timeout')
    return new ProbeError('timeout', `no answer from ${ctx.where} (${message})`, opts);
  // A jump host's channel-open failure: "(SSH) Channel open failure: Connection refused".
  if (/channel open failure/i.test(message))
    return /refused/i.test(message)
      ? new ProbeError('refused', `connection refused by ${ctx.where}`, opts)
      : new ProbeError('unreachable', `cannot reach ${ctx.where}: ${oneLine(message)}`, opts);
  if (level === 'handshake')
    return new ProbeError('refused', `SSH handshake with ${ctx.where} failed: ${oneLine(message)}`, opts);
  return new ProbeError(
    'dropped',
    ctx.phase === 'connect'
      ? `connection to ${ctx.where} closed before the session was ready (${oneLine(message)})`
      : `connection to ${ctx.where} closed mid-command (${oneLine(message)})`,
    opts,
  );
}

function oneLine(message: string): string {
  const first = message.split('\n')[0] ?? '';
  return first.length > 160 ? `${first.slice(0, 160)}…` : first;
}
