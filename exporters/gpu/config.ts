import { z } from 'zod';

const seconds = z.number().positive();

/** agent.gpu in tierwise.yml: the NVIDIA GPU collector (docs/gpu.md). */
export const gpuConfigSchema = z.strictObject({
  /** The nvidia-smi binary: a path, or a name looked up in PATH. */
  nvidia_smi: z.string().min(1).default('nvidia-smi'),
  /** How often the long-lived nvidia-smi samples every GPU (its -lms). */
  interval_seconds: z.number().min(0.05).max(60).default(5),
  /**
   * How often the per-process VRAM list is asked for, each time by one short-lived nvidia-smi; with the
   * default, the agent starts at most one nvidia-smi a minute in steady state.
   */
  processes_interval_seconds: seconds.default(60),
  /** How long a short-lived nvidia-smi may run, and the long-lived one may take to its first sample. */
  timeout_seconds: seconds.default(10),
  /** A stream without a complete sample for this many intervals is killed (SIGKILL) and restarted. */
  stall_intervals: z.number().int().min(2).default(3),
  /** The first wait before restarting a failed nvidia-smi; it doubles with each failure in a row… */
  restart_min_seconds: seconds.default(1),
  /** …up to this. */
  restart_max_seconds: seconds.default(60),
});

export type GpuConfig = z.infer<typeof gpuConfigSchema>;
