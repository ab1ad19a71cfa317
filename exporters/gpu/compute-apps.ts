import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import type { Logger } from 'pino';
import {
  COMPUTE_APP_FIELDS,
  type ComputeApp,
  classifyNvidiaSmiFailure,
  type ListedGpu,
  parseComputeApps,
  parseGpuList,
} from '../parsers/nvidia-smi.ts';
import { findExecutable } from './find-executable.ts';
import type { WorkloadVram } from './process-workloads.ts';

export interface ProcessPollerOptions {
  command: string;
  pathEnv: string | undefined;
  /** At least this long between two starts of nvidia-smi. */
  intervalMs: number;
  /** A run still going after this is killed (SIGKILL). */
  timeoutMs: number;
  /** How soon to look again while the stream has no fresh sample: nothing is started meanwhile. */
  retryMs: number;
  /** Whether the long-lived stream has a fresh sample: a driver that fails there would fail here too. */
  streaming: () => boolean;
  /** Whether a GPU is in MIG mode now, so the MIG layout is worth listing. */
  migEnabled: () => boolean;
  attribute: (apps: ComputeApp[]) => Promise<WorkloadVram[]>;
  log: Logger;
}

/** Every this many runs on a MIG machine, one lists the MIG layout (`-L`) instead of the processes. */
export const MIG_LIST_EVERY = 10;

const RUN_OPTIONS = {
  stdin: 'ignore',
  reject: false,
  // An nvidia-smi stuck in the driver ignores SIGTERM.
  killSignal: 'SIGKILL',
  maxBuffer: 1024 * 1024,
  cleanup: true,
} as const;

/**
 * The slow loop beside the stream: one short-lived nvidia-smi per `intervalMs` at most, with a timeout.
 * Usually `--query-compute-apps` (per-process VRAM, mapped to workloads); on a MIG machine every
 * MIG_LIST_EVERY-th run is `-L` instead, since MIG layouts change only when an admin changes them. So
 * with the default minute this loop starts one process a minute and the agent, whose stream lives on,
 * no more than that. Nothing is started while the stream has no fresh sample (no driver, a broken one,
 * a hung one), so a failing driver is not asked twice.
 */
export class ProcessPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private child: { kill(signal: 'SIGKILL'): boolean } | undefined;
  private runs = 0;
  private stopped = false;
  /** The last successful process list, attributed, and when it was taken (performance.now(), ms). */
  processes: { vram: WorkloadVram[]; at: number } | undefined;
  /** The last MIG layout listed. */
  layout: { gpus: ListedGpu[]; at: number } | undefined;
  /** nvidia-smi processes started. */
  starts = 0;

  constructor(private readonly opts: ProcessPollerOptions) {}

  start(firstDelayMs: number): void {
    this.schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.child?.kill('SIGKILL');
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (!this.opts.streaming()) {
      this.schedule(this.opts.retryMs);
      return;
    }
    this.running = this.runOnce().catch((err: unknown) => {
      this.opts.log.warn({ collector: 'gpu', err: (err as Error).message }, 'GPU process list failed');
    });
    await this.running;
    this.running = undefined;
    this.schedule(this.opts.intervalMs);
  }

  private async runOnce(): Promise<void> {
    const bin = findExecutable(this.opts.command, this.opts.pathEnv);
    if (bin === undefined) return;
    const listMig = this.opts.migEnabled() && (this.layout === undefined || this.runs % MIG_LIST_EVERY === 0);
    this.runs++;
    const args = listMig
      ? ['-L']
      : [`--query-compute-apps=${COMPUTE_APP_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
    this.starts++;
    const child = execa(bin, args, { ...RUN_OPTIONS, timeout: this.opts.timeoutMs });
    this.child = child;
    const result = await child;
    this.child = undefined;
    if (this.stopped) return;
    if (result.failed) {
      const said = `${result.stdout}\n${result.stderr}`;
      this.opts.log.warn(
        {
          collector: 'gpu',
          args,
          reason: result.timedOut
            ? `killed after ${this.opts.timeoutMs} ms`
            : (classifyNvidiaSmiFailure(said) ?? `exit ${result.exitCode ?? result.signal}`),
        },
        'nvidia-smi for the GPU process list failed; keeping the last list until it is stale',
      );
      return;
    }
    if (listMig) {
      this.layout = { gpus: parseGpuList(result.stdout), at: performance.now() };
    } else {
      const vram = await this.opts.attribute(parseComputeApps(result.stdout));
      this.processes = { vram, at: performance.now() };
    }
  }
}
