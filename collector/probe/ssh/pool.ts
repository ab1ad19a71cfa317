import type { Logger } from '../../../common/log.ts';
import type { ProbeConfig, ProbeTarget } from '../config.ts';
import { type Connection, connectTarget, describeTarget, validHost } from './connect.ts';
import { classifyError, ProbeError, quoted, type RunResult } from './errors.ts';
import { ChannelNotOpened, type ExecResult, execScript } from './exec.ts';
import { forwardThrough, jumpChain } from './jump.ts';
import { Limiter } from './limiter.ts';

export interface RunOptions {
  /**
   * The deadline for connect, handshake, auth and command together (default: the target's
   * timeout_seconds). Time spent queued for a slot is not part of it; use `signal` to bound that.
   */
  timeoutMs?: number;
  /** Cancels the run, queued or running (the scrape gave up); it then fails as `timeout`. */
  signal?: AbortSignal;
  /** Reject a non-zero exit status as ProbeError `exit` (default); false resolves with the code. */
  check?: boolean;
  /** Default 8 MiB: a probe's output is a few tens of KiB. */
  maxOutputBytes?: number;
}

export interface SshPoolOptions {
  /**
   * false: a fresh connection (jump connections included) for every run, closed after it. Only for
   * the benchmark's comparison; pooling is what keeps a probe to one round trip.
   */
  pooled?: boolean;
  logger?: Logger;
}

export interface SshPoolStats {
  /** Established pooled connections, jump hosts included. */
  connections: number;
  /** Sessions established since the pool was made (each one a TCP connect, handshake and auth). */
  opened: number;
  /** Runs holding a slot, and runs waiting for one. */
  active: number;
  queued: number;
}

interface PoolEntry {
  promise: Promise<Connection>;
  conn?: Connection;
}

const defaultMaxOutputBytes = 8 * 1024 * 1024;

/**
 * SSH sessions to probe targets: one pooled connection per target (per jump path), reused by every
 * probe and kept alive with SSH keepalives; a connection found dead when a command is started is
 * replaced once; every run has one deadline; at most probe.max_concurrent runs are in flight.
 */
export class SshPool {
  private readonly entries = new Map<string, PoolEntry>();
  /** Every established connection, pooled or not, so close() reaches them all. */
  private readonly live = new Set<Connection>();
  private readonly limiter: Limiter;
  private readonly pooled: boolean;
  private readonly log: Logger | undefined;
  private opened = 0;
  private closed = false;

  constructor(
    private config: ProbeConfig,
    options: SshPoolOptions = {},
  ) {
    this.limiter = new Limiter(config.max_concurrent);
    this.pooled = options.pooled ?? true;
    this.log = options.logger;
  }

  /**
   * A reloaded config: new limits, known_hosts path and targets. Pooled connections whose target (or
   * jump path) changed or went away are closed.
   */
  setConfig(config: ProbeConfig): void {
    this.config = config;
    this.limiter.setMax(config.max_concurrent);
    const wanted = new Set<string>();
    for (const target of config.targets) {
      try {
        const chain = jumpChain(target, config.targets);
        for (let i = 1; i <= chain.length; i++) wanted.add(chainKey(chain.slice(0, i)));
      } catch {
        // A target with a jump loop never gets a connection anyway.
      }
    }
    for (const [key, entry] of this.entries) {
      if (wanted.has(key)) continue;
      this.entries.delete(key);
      void entry.promise.then(
        (conn) => conn.end(),
        () => {},
      );
    }
  }

  /**
   * Runs a constant `script` on a target (see REMOTE_COMMAND: it travels on stdin to `sh -s`, never in
   * a command line). Every failure is a ProbeError.
   */
  async run(target: ProbeTarget, script: string, options: RunOptions = {}): Promise<RunResult> {
    if (this.closed) throw new ProbeError('dropped', 'the SSH pool is closed');
    // Config problems fail before taking a slot or touching the network.
    const chain = jumpChain(target, this.config.targets);
    for (const t of chain)
      if (!validHost(t.host))
        throw new ProbeError(
          'unreachable',
          `invalid host name ${quoted(t.host)}${t === target ? '' : ` (jump host ${quoted(t.name)})`}`,
        );

    const timeoutMs = options.timeoutMs ?? target.timeout_seconds * 1000;
    const release = await this.limiter.acquire(
      options.signal,
      () => new ProbeError('timeout', `cancelled while waiting for a free slot (${describeTarget(target)})`),
    );
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const cancel = () => deadline.abort();
    options.signal?.addEventListener('abort', cancel, { once: true });
    const own: Connection[] = [];
    try {
      for (let attempt = 1; ; attempt++) {
        const { conn, reused } = await this.connectChain(chain, deadline.signal, timeoutMs, own);
        let result: ExecResult;
        try {
          result = await execScript(conn, script, {
            signal: deadline.signal,
            timeoutMs,
            maxOutputBytes: options.maxOutputBytes ?? defaultMaxOutputBytes,
          });
        } catch (err) {
          this.discardIfDead(conn);
          if (!(err instanceof ChannelNotOpened)) throw err;
          // A pooled connection that died while idle (the server restarted, a NAT forgot it) is found
          // out here; nothing ran, so one retry on a fresh connection is safe.
          if (attempt === 1 && reused) {
            this.log?.debug({ target: target.name }, 'pooled SSH connection was dead; reconnecting');
            this.discard(conn);
            continue;
          }
          throw new ProbeError('dropped', `connection to ${conn.where} closed before the command started`);
        }
        return checkExit(result, conn.where, options.check ?? true);
      }
    } catch (err) {
      throw classifyError(err, {
        where: describeTarget(target),
        timeoutMs,
        timedOut: deadline.signal.aborted,
        phase: 'command',
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', cancel);
      release();
      for (const conn of own) conn.end();
    }
  }

  stats(): SshPoolStats {
    let connections = 0;
    for (const entry of this.entries.values()) if (entry.conn?.alive) connections++;
    const { active, queued } = this.limiter.stats;
    return { connections, opened: this.opened, active, queued };
  }

  /** Closes every connection (politely, then hard after a second) and fails queued runs. */
  async close(): Promise<void> {
    this.closed = true;
    this.limiter.rejectAll(new ProbeError('dropped', 'the SSH pool is closed'));
    const pending = [...this.entries.values()].map((e) => e.promise.catch(() => undefined));
    this.entries.clear();
    await Promise.all(pending);
    const all = [...this.live];
    for (const conn of all) conn.end();
    // end() destroys after a second anyway; the cap only guards against a close event that never comes.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(all.map((c) => c.closed)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 3000);
      }),
    ]);
    clearTimeout(timer);
  }

  /** The session to the last target of `chain`, through the ones before it. */
  private async connectChain(
    chain: ProbeTarget[],
    signal: AbortSignal,
    timeoutMs: number,
    own: Connection[],
  ): Promise<{ conn: Connection; reused: boolean }> {
    let via: Connection | undefined;
    let reused = false;
    for (let i = 0; i < chain.length; i++) {
      const target = chain[i] as ProbeTarget;
      const got = await this.connectionTo(target, chainKey(chain.slice(0, i + 1)), via, signal, timeoutMs);
      if (!this.pooled) own.push(got.conn);
      via = got.conn;
      reused = got.reused;
    }
    if (via === undefined) throw new Error('empty jump chain');
    return { conn: via, reused };
  }

  /** A pooled session (reused when established and alive), or a new one. */
  private async connectionTo(
    target: ProbeTarget,
    key: string,
    via: Connection | undefined,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<{ conn: Connection; reused: boolean }> {
    const existing = this.pooled ? this.entries.get(key) : undefined;
    if (existing?.conn) {
      if (existing.conn.alive) return { conn: existing.conn, reused: true };
      this.entries.delete(key);
    } else if (existing) {
      // Another run is connecting to the same target: share its connection rather than open a second.
      const conn = await abortable(existing.promise, signal, () =>
        classifyError(new Error('deadline'), {
          where: describeTarget(target, via?.target.name),
          timeoutMs,
          timedOut: true,
          phase: 'connect',
        }),
      );
      if (conn.alive) return { conn, reused: false };
      if (this.entries.get(key) === existing) this.entries.delete(key);
    }

    const promise = this.open(target, via, signal, timeoutMs);
    if (this.pooled) {
      const entry: PoolEntry = { promise };
      this.entries.set(key, entry);
      promise.then(
        (conn) => {
          entry.conn = conn;
          void conn.closed.then(() => {
            if (this.entries.get(key) === entry) this.entries.delete(key);
          });
        },
        () => {
          if (this.entries.get(key) === entry) this.entries.delete(key);
        },
      );
    }
    return { conn: await promise, reused: false };
  }

  private async open(
    target: ProbeTarget,
    via: Connection | undefined,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<Connection> {
    const where = describeTarget(target, via?.target.name);
    const sock = via ? await forwardThrough(via, target, { signal, timeoutMs, where }) : undefined;
    const conn = await connectTarget(target, {
      knownHostsFile: this.config.known_hosts,
      keepaliveMs: this.config.keepalive_seconds * 1000,
      signal,
      timeoutMs,
      ...(sock ? { sock, via: via?.target.name } : {}),
    });
    this.opened++;
    this.live.add(conn);
    this.log?.debug({ target: target.name, via: via?.target.name }, 'SSH connection established');
    void conn.closed.then(() => {
      this.live.delete(conn);
      this.log?.debug({ target: target.name }, 'SSH connection closed');
    });
    // The pool was closed while this one was being opened.
    if (this.closed) conn.end();
    return conn;
  }

  private discard(conn: Connection): void {
    for (const [key, entry] of this.entries) if (entry.conn === conn) this.entries.delete(key);
    conn.destroy();
  }

  private discardIfDead(conn: Connection): void {
    if (!conn.alive) this.discard(conn);
  }
}

/** A pool key: the connection-relevant fields of every target on the path (names included). */
function chainKey(chain: ProbeTarget[]): string {
  return JSON.stringify(
    chain.map((t) => [t.name, t.host, t.port, t.user, t.key_file ?? null, t.password_file ?? null]),
  );
}

function checkExit(result: ExecResult, where: string, check: boolean): RunResult {
  const { signal, ...plain } = result;
  if (!check || plain.code === 0) return plain;
  const how =
    plain.code === null ? `was killed by signal ${signal ?? 'unknown'}` : `exited with status ${plain.code}`;
  throw new ProbeError('exit', `the command on ${where} ${how}`, { result: plain });
}

/** `promise`, or `onAbort()`'s error as soon as `signal` aborts (the promise itself goes on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err);
      },
    );
  });
}
