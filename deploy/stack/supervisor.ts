import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  error?: Error;
}

export interface Child {
  name: string;
  pid: number | undefined;
  /** Its last lines of output (stdout and stderr), oldest first. */
  tail(): string[];
  exited: Promise<ChildExit>;
}

export interface SupervisorOptions {
  /** How long a child has after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  tailLines?: number;
}

interface Entry {
  child: Child;
  process: ChildProcess;
  done: boolean;
}

/**
 * Starts programs (argument arrays, never a shell line), passes their output to the log, keeps the
 * last lines for when one dies, and stops them all: SIGTERM, then SIGKILL to its process group after
 * the timeout.
 */
export class Supervisor {
  readonly #log: Logger;
  readonly #stopTimeoutMs: number;
  readonly #tailLines: number;
  readonly #entries: Entry[] = [];
  #stopping = false;
  #onUnexpectedExit: (child: Child, exit: ChildExit) => void = () => undefined;

  constructor(log: Logger, options: SupervisorOptions = {}) {
    this.#log = log;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.#tailLines = options.tailLines ?? 20;
  }

  /** Called once for each child that exits before stopAll(). */
  onUnexpectedExit(listener: (child: Child, exit: ChildExit) => void): void {
    this.#onUnexpectedExit = listener;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  start(spec: ChildSpec): Child {
    // A process group of its own: a Ctrl-C in the terminal reaches only the stack, which then stops
    // the children in its own order, instead of every child racing the stack to exit.
    const proc = spawn(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const log = this.#log.child({ child: spec.name });
    const lines: string[] = [];
    const keep = (line: string) => {
      lines.push(line);
      if (lines.length > this.#tailLines) lines.shift();
      forwardLine(log, line);
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', keep);
    }
    const exited = new Promise<ChildExit>((resolve) => {
      proc.once('error', (error) => resolve({ code: null, signal: null, error }));
      proc.once('exit', (code, signal) => {
        // Its output read to the end first, so the tail holds its last words; not longer, in case
        // something it started still holds the pipes.
        const done = () => resolve({ code, signal });
        proc.once('close', done);
        setTimeout(done, 500).unref();
      });
    });
    const child: Child = { name: spec.name, pid: proc.pid, tail: () => [...lines], exited };
    const entry: Entry = { child, process: proc, done: false };
    this.#entries.push(entry);
    void exited.then((exit) => {
      entry.done = true;
      if (!this.#stopping) this.#onUnexpectedExit(child, exit);
    });
    log.debug({ pid: proc.pid, command: spec.command, args: spec.args }, 'started');
    return child;
  }

  /** Stops every child still running, all at once; resolves when all have exited. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#entries.filter((e) => !e.done).map((e) => this.#stop(e)));
  }

  /** SIGKILL to every child's process group now (a second Ctrl-C, or the stack's own exit). */
  killAll(): void {
    this.#stopping = true;
    for (const e of this.#entries) if (!e.done) signalGroup(e.process, 'SIGKILL');
  }

  async #stop(entry: Entry): Promise<void> {
    const { process: proc, child } = entry;
    proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#log.warn(
          { child: child.name, pid: child.pid },
          `no exit ${this.#stopTimeoutMs} ms after SIGTERM: SIGKILL`,
        );
        signalGroup(proc, 'SIGKILL');
        resolve();
      }, this.#stopTimeoutMs);
    });
    await Promise.race([child.exited, killed]);
    await child.exited;
    clearTimeout(timer);
  }
}

/** The whole group, so whatever the child started goes with it. */
function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // Gone already.
  }
}

const PINO_LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const LOGFMT_LEVEL = /\blevel=(debug|info|warn|error)\b/;

/**
 * A child's line into the stack's log at the child's own level: tierwise children write pino JSON,
 * Prometheus and Alertmanager logfmt (level=warn …); anything else is info.
 */
export function forwardLine(log: Logger, line: string): void {
  if (line.trim() === '') return;
  if (line.startsWith('{')) {
    try {
      const { level, msg, time: _time, app: _app, ...fields } = JSON.parse(line) as Record<string, unknown>;
      const name = typeof level === 'number' ? PINO_LEVELS[level] : undefined;
      if (name !== undefined && typeof msg === 'string') {
        log[name](fields, msg);
        return;
      }
    } catch {
      // Not JSON after all: logged as it is.
    }
  }
  const level = LOGFMT_LEVEL.exec(line)?.[1] as 'debug' | 'info' | 'warn' | 'error' | undefined;
  log[level ?? 'info'](line);
}
