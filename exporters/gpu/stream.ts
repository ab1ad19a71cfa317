import { performance } from 'node:perf_hooks';
import { execa, type Result, type ResultPromise } from 'execa';
import type { Logger } from 'pino';
import { NoDataError } from '../collector.ts';
import {
  classifyNvidiaSmiFailure,
  type GpuFieldKey,
  type GpuReading,
  invalidQueryField,
  parseQueryGpuLine,
} from '../parsers/nvidia-smi.ts';
import type { Backoff } from './backoff.ts';
import { QueryFields } from './fields.ts';
import { findExecutable } from './find-executable.ts';
import { SampleAssembler } from './samples.ts';

/** One tick of every GPU, and when it was complete (performance.now(), ms). */
export interface GpuSample {
  gpus: GpuReading[];
  at: number;
}

export interface GpuStreamOptions {
  /** The nvidia-smi binary: a path, or a name looked up in `pathEnv`. */
  command: string;
  intervalMs: number;
  /** No complete sample for this long: the process is killed and restarted. */
  stallMs: number;
  /** The same for the first sample of a run (NVML can take seconds to initialise without persistence mode). */
  firstSampleMs: number;
  backoff: Backoff;
  /** The PATH the command is looked up in. */
  pathEnv: string | undefined;
  log: Logger;
}

const SPAWN_OPTIONS = {
  stdin: 'ignore',
  // Lines are read as they come and never kept: the process runs for the agent's life.
  buffer: false,
  reject: false,
  // Killed with the agent (execa's exit hook), so no nvidia-smi outlives it; with SIGKILL, since one
  // stuck in the driver ignores SIGTERM and the agent does not wait to try again.
  cleanup: true,
  killSignal: 'SIGKILL',
} as const;

type StreamProcess = ResultPromise<typeof SPAWN_OPTIONS>;

/** Lines that are not CSV (error messages) kept from one run, to say why it ended. */
const KEEP_MESSAGES = 20;
/** A run without a newline for this many characters is not nvidia-smi talking CSV; the excess is dropped. */
const MAX_PARTIAL_LINE = 64 * 1024;

/**
 * One long-lived `nvidia-smi --query-gpu=… --format=csv,noheader,nounits -lms <interval>` process, read
 * line by line, never a process per scrape (which makes games stutter and GPUs hang for
 * nvidia_gpu_exporter's users). The scrape reads `latest()`, which never waits on the process.
 *
 * When the process stalls (no complete sample within `stallMs`) it is killed with SIGKILL, since an
 * nvidia-smi stuck in the driver ignores SIGTERM; when it exits it is started again after a back-off
 * that doubles with each failure in a row, and is reset once a run has stayed healthy for the back-off's
 * cap. A field the driver refuses is dropped and the process restarted at once.
 */
export class GpuStream {
  private readonly fields = new QueryFields();
  private readonly assembler = new SampleAssembler();
  private child: StreamProcess | undefined;
  private sample: GpuSample | undefined;
  private failure: { reason: string; noData?: boolean } | undefined;
  private loggedReason: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopped = false;
  private run = { startedAt: 0, sampled: false, stalled: false, partial: '', messages: [] as string[] };
  /** nvidia-smi processes started, for tierwise_gpu_nvidia_smi_starts_total. */
  starts = 0;

  constructor(private readonly opts: GpuStreamOptions) {}

  start(): void {
    if (this.stopped || this.child || this.restartTimer) return;
    this.spawn();
  }

  /** Kills the process (if any) and stops restarting it; resolves once it is gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.watchdog);
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.kill('SIGKILL');
      await child;
    }
  }

  /** The last complete sample, however old; the caller decides whether it is fresh enough. */
  latest(): GpuSample | undefined {
    return this.sample;
  }

  /** The field names the driver refused, as the log reports them. */
  refusedFields(): string[] {
    return this.fields.refusedNames();
  }

  /** Why there is no fresh sample, as the error a collector throws (NoDataError where nvidia-smi is missing). */
  problem(): Error {
    if (this.stopped) return new Error('stopped');
    if (!this.failure) return new Error('no sample from nvidia-smi yet');
    return this.failure.noData ? new NoDataError(this.failure.reason) : new Error(this.failure.reason);
  }

  private spawn(): void {
    this.restartTimer = undefined;
    const bin = findExecutable(this.opts.command, this.opts.pathEnv);
    if (bin === undefined) {
      this.fail('nvidia-smi not found', `no executable ${this.opts.command} in PATH`, true);
      this.scheduleRestart();
      return;
    }
    const { names, keys } = this.fields.current();
    const args = [
      `--query-gpu=${names.join(',')}`,
      '--format=csv,noheader,nounits',
      '-lms',
      String(Math.max(1, Math.round(this.opts.intervalMs))),
    ];
    this.starts++;
    this.run = { startedAt: performance.now(), sampled: false, stalled: false, partial: '', messages: [] };
    this.assembler.clear();
    const child = execa(bin, args, SPAWN_OPTIONS);
    this.child = child;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onOutput(chunk, keys));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.remember(chunk));
    this.armWatchdog(this.opts.firstSampleMs);
    void child.then((result) => this.onExit(child, result));
  }

  private onOutput(chunk: string, keys: GpuFieldKey[]): void {
    let text = this.run.partial + chunk;
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      this.onLine(text.slice(0, newline), keys);
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    this.run.partial = text.length > MAX_PARTIAL_LINE ? '' : text;
  }

  private onLine(line: string, keys: GpuFieldKey[]): void {
    const reading = parseQueryGpuLine(line, keys);
    if (!reading) {
      this.remember(line);
      // A GPU that drops out mid-stream is reported on its own line; it counts once samples stop.
      const reason = classifyNvidiaSmiFailure(line);
      if (reason !== undefined) this.fail(reason, line);
      return;
    }
    const gpus = this.assembler.add(reading);
    if (!gpus) return;
    this.sample = { gpus, at: performance.now() };
    this.run.sampled = true;
    this.failure = undefined;
    this.loggedReason = undefined;
    this.armWatchdog(this.opts.stallMs);
  }

  private remember(text: string): void {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.run.messages.push(line.slice(0, 500));
      if (this.run.messages.length > KEEP_MESSAGES) this.run.messages.shift();
    }
  }

  private armWatchdog(ms: number): void {
    if (this.watchdog) {
      clearTimeout(this.watchdog);
    }
    this.watchdog = setTimeout(() => this.onStall(ms), ms);
    this.watchdog.unref();
  }

  private onStall(ms: number): void {
    const child = this.child;
    if (!child) return;
    this.run.stalled = true;
    this.fail(
      `nvidia-smi stalled: no complete sample for ${ms / 1000}s, killed`,
      `pid ${child.pid ?? '?'} printed no complete sample for ${ms} ms; sending SIGKILL`,
    );
    child.kill('SIGKILL');
  }

  private onExit(child: StreamProcess, result: Result<typeof SPAWN_OPTIONS>): void {
    if (child !== this.child) return;
    this.child = undefined;
    clearTimeout(this.watchdog);
    if (this.stopped) return;
    const ranMs = performance.now() - this.run.startedAt;
    if (this.run.sampled && ranMs >= this.opts.backoff.maxMs) this.opts.backoff.reset();
    const printed = this.run.messages.join('\n');
    if (result.code === 'ENOENT') {
      this.fail('nvidia-smi not found', `${this.opts.command} disappeared`, true);
    } else if (!this.run.stalled) {
      const refused = invalidQueryField(printed);
      const refusal = refused === undefined ? undefined : this.fields.refuse(refused);
      if (refusal === 'next-name' || refusal === 'dropped') {
        this.opts.log.info(
          { field: refused, refusal },
          'nvidia-smi does not know a query field; asking without it',
        );
        this.scheduleRestart(0);
        return;
      }
      const reason =
        refusal === 'required'
          ? `nvidia-smi refuses the field ${refused}`
          : (classifyNvidiaSmiFailure(printed) ?? exitReason(result));
      this.fail(reason, printed.split('\n').slice(-3).join(' | '));
    }
    this.scheduleRestart();
  }

  private scheduleRestart(delayMs = this.opts.backoff.next()): void {
    if (this.stopped) return;
    this.restartTimer = setTimeout(() => this.spawn(), delayMs);
    this.restartTimer.unref();
  }

  /** Records why the stream has no fresh sample; logged when the reason changes, not on every retry. */
  private fail(reason: string, detail: string, noData = false): void {
    this.failure = { reason, noData };
    if (this.loggedReason === reason) return;
    this.loggedReason = reason;
    const entry = { collector: 'gpu', reason, detail };
    if (noData) this.opts.log.debug(entry, 'no nvidia-smi');
    else this.opts.log.warn(entry, 'nvidia-smi failed; restarting with back-off');
  }
}

function exitReason(result: Result<typeof SPAWN_OPTIONS>): string {
  if (result.signal !== undefined) return `nvidia-smi was killed by ${result.signal}`;
  return `nvidia-smi exited with code ${result.exitCode ?? 'unknown'}`;
}
