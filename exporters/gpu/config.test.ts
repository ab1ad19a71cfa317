import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, parseConfig } from '../../common/config.ts';
import { repoRoot } from '../../test/support/agent-process.ts';
import { configErrorOf } from '../../test/support/config.ts';
import { gpuConfigSchema } from './config.ts';

describe('agent.gpu in tierwise.yml', () => {
  it('has defaults: nvidia-smi from PATH, a 5 s stream, a process list a minute', () => {
    expect(defaultConfig().agent.gpu).toEqual({
      nvidia_smi: 'nvidia-smi',
      interval_seconds: 5,
      processes_interval_seconds: 60,
      timeout_seconds: 10,
      stall_intervals: 3,
      restart_min_seconds: 1,
      restart_max_seconds: 60,
    });
    expect(gpuConfigSchema.parse({})).toEqual(defaultConfig().agent.gpu);
  });

  it('is set in the documented example', () => {
    const file = path.join(repoRoot, 'examples/tierwise.yml');
    expect(parseConfig(readFileSync(file, 'utf8'), file).agent.gpu.nvidia_smi).toBe('nvidia-smi');
  });

  it('names each wrong key', () => {
    const text =
      'agent:\n  gpu:\n    nvidia_smi: ""\n    interval_seconds: 0\n    stall_intervals: 1.5\n    lms: 5\n';
    const err = configErrorOf(text);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.problems.map((p) => p.split(':')[0])).toEqual([
      'agent.gpu.nvidia_smi',
      'agent.gpu.interval_seconds',
      'agent.gpu.stall_intervals',
      'agent.gpu',
    ]);
  });
});
