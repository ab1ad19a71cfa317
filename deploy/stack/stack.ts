import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { TierwiseConfig } from '../../common/config.ts';
import { type Binaries, findBinaries } from './binaries.ts';
import { writeStackFiles } from './files.ts';
import { lockDataDir } from './lock.ts';
import { checkPortsFree } from './ports.ts';
import { type Service, type StackPaths, selfCommand, stackPaths, stackServices } from './services.ts';
import { type Child, type ChildExit, Supervisor } from './supervisor.ts';

export interface StackOptions {
  config: TierwiseConfig;
  /** tierwise.yml as given on the command line; none for the defaults. */
  configFile: string | undefined;
  /** --data-dir, over stack.data_dir. */
  dataDir: string | undefined;
  logLevel: string;
  log: Logger;
  /** Where the URLs go once everything is up (stdout). */
  out: { write(text: string): unknown };
  /** How long a child may take to become ready; Prometheus replaying a large WAL on a Pi takes minutes. */
  readyTimeoutMs?: number;
}

/** A program of the stack stopped on its own; the message holds its last lines. */
export class ChildExitedError extends Error {
  override readonly name = 'ChildExitedError';
  constructor(child: Child, exit: ChildExit) {
    const how =
      exit.error !== undefined
        ? `could not be started: ${exit.error.message}`
        : `exited unexpectedly (${exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`})`;
    const tail = child.tail();
    super(
      `${child.name} ${how}${tail.length > 0 ? `; its last lines:\n${tail.map((l) => `  ${l}`).join('\n')}` : ''}`,
    );
  }
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const READY_POLL_MS = 200;
const STILL_WAITING_MS = 15_000;

/**
 * Runs the whole stack until a signal (resolves, once every child has stopped) or until one of its
 * programs stops on its own (rejects with ChildExitedError, once the others have stopped).
 */
export async function runStack(opts: StackOptions): Promise<void> {
  const paths = stackPaths(path.resolve(opts.dataDir ?? opts.config.stack.data_dir));
  const binaries = await findBinaries();
  const lock = await lockDataDir(paths.dataDir);
  // Whatever ends this process, the data directory is free again.
  process.once('exit', lock.release);
  try {
    await run(opts, paths, binaries);
  } finally {
    lock.release();
    process.off('exit', lock.release);
  }
}

/** The stack on a data directory it holds: generated files, port checks, the programs until the end. */
async function run(opts: StackOptions, paths: StackPaths, binaries: Binaries): Promise<void> {
  const { config, log } = opts;
  const { alertmanagerConfig } = await writeStackFiles(config, paths, os.hostname());
  const services = stackServices(config, {
    paths,
    alertmanagerConfig,
    binaries,
    self: selfCommand(),
    configFile: opts.configFile === undefined ? undefined : path.resolve(opts.configFile),
    logLevel: opts.logLevel,
  });
  await checkPortsFree(services.map((s) => ({ key: s.listenKey, address: s.address })));

  const supervisor = new Supervisor(log);
  // Whatever ends this process, no child outlives it.
  const killOnExit = () => supervisor.killAll();
  process.once('exit', killOnExit);
  let end: (error: Error | undefined) => void = () => undefined;
  const ended = new Promise<Error | undefined>((resolve) => {
    end = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (supervisor.stopping) {
      log.warn({ signal }, 'second signal: killing what is left');
      supervisor.killAll();
      return;
    }
    log.info({ signal }, 'stopping the stack');
    end(undefined);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  supervisor.onUnexpectedExit((child, exit) => end(new ChildExitedError(child, exit)));

  const startedAt = performance.now();
  const children = services.map((s) => supervisor.start(s));
  const abort = new AbortController();
  const ready = Promise.all(
    services.map((s, i) => waitReady(s, children[i] as Child, log, abort.signal, opts.readyTimeoutMs)),
  );
  const outcome = await Promise.race([
    ready.then(() => ({ up: true, error: undefined })),
    ended.then((error) => ({ up: false, error })),
  ]).catch((error: Error) => ({ up: false, error }));
  abort.abort();
  let failure = outcome.error;
  if (outcome.up) {
    log.info({ ms: Math.round(performance.now() - startedAt) }, 'stack up');
    opts.out.write(urlBlock(services, paths.dataDir));
    failure = await ended;
  }
  const stopStart = performance.now();
  await supervisor.stopAll();
  log.info({ ms: Math.round(performance.now() - stopStart) }, 'stack stopped');
  for (const s of STOP_SIGNALS) process.off(s, onSignal);
  process.off('exit', killOnExit);
  if (failure !== undefined) throw failure;
}

/** Polls the service's readiness endpoint until it answers 2xx; fails when it does not in time. */
async function waitReady(
  service: Service,
  child: Child,
  log: Logger,
  signal: AbortSignal,
  timeoutMs = 5 * 60_000,
): Promise<void> {
  const started = performance.now();
  let nextNote = started + STILL_WAITING_MS;
  while (!signal.aborted) {
    try {
      const res = await fetch(service.readyUrl, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) {
        log.info(
          { child: service.name, pid: child.pid, ms: Math.round(performance.now() - started) },
          'ready',
        );
        return;
      }
    } catch {
      // Not listening yet.
    }
    const now = performance.now();
    if (now - started > timeoutMs)
      throw new Error(
        `${service.name} did not answer ${service.readyUrl} within ${Math.round(timeoutMs / 1000)} s`,
      );
    if (now > nextNote) {
      log.info({ child: service.name, url: service.readyUrl }, 'still waiting for it to be ready');
      nextNote = now + STILL_WAITING_MS;
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
}

/** What a person needs once the stack is up: where each part answers, and where the data lives. */
export function urlBlock(services: Service[], dataDir: string): string {
  const width = Math.max(...services.map((s) => s.title.length));
  return [
    '',
    'tierwise stack is up',
    ...services.map((s) => `  ${s.title.padEnd(width)}  ${s.url}`),
    `  ${'data'.padEnd(width)}  ${dataDir}`,
    'Ctrl-C stops it.',
    '',
  ].join('\n');
}
