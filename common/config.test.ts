import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../test/support/agent-process.ts';
import { configErrorOf } from '../test/support/config.ts';
import { ConfigError, defaultConfig, loadConfig, parseConfig } from './config.ts';

describe('tierwise.yml', () => {
  it('accepts the documented example, every key set', async () => {
    const file = path.join(repoRoot, 'examples/tierwise.yml');
    const config = await loadConfig(file);
    expect(config.agent.tier).toBe('pi-cluster');
    expect(config.agent.workloads.annotations['jellyfin.service']).toEqual({
      needs_gpu: true,
      always_on: true,
    });
    expect(config.agent.workloads.rename).toHaveLength(1);
  });

  it('has defaults for everything', () => {
    expect(parseConfig('', 'empty.yml')).toEqual(defaultConfig());
    expect(defaultConfig().agent.workloads.rename[0]?.workload).toBe('gitea-actions/jobs');
  });

  it('reports every problem with its dotted key at once', () => {
    const text =
      'agent:\n  workloads:\n    max_workloads: 0\n    rename: [{ match: "(", workload: x }]\n  colectors: {}\n';
    const err = configErrorOf(text);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.problems).toEqual([
      'agent.workloads.max_workloads: Too small: expected number to be >=1',
      'agent.workloads.rename.0.match: expected a valid regular expression',
      "agent: unknown key(s) 'colectors'",
    ]);
    expect(err?.message).toMatch(/^tierwise\.yml: invalid configuration/);
  });

  it('names the file it cannot read', async () => {
    await expect(loadConfig('/nonexistent/tierwise.yml')).rejects.toThrow(
      /\/nonexistent\/tierwise\.yml: invalid configuration\n {2}cannot read file/,
    );
  });
});
