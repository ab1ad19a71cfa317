import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../common/config.ts';
import { silentLogger } from '../../common/log.ts';
import { repoRoot } from '../../test/support/agent-process.ts';
import { fixturePath, fixturesRoot } from '../../test/support/fixtures.ts';
import { createAgent } from './agent.ts';

const goldenFile = path.join(repoRoot, 'test/golden/fixture-tree.prom');

/**
 * Durations (and so the scrape histogram's buckets) change from run to run and reasons name the fixture tree's absolute path; everything else
 * must match the golden file byte for byte.
 */
function normalise(text: string): string {
  return text
    .replaceAll(fixturesRoot, '<fixtures>')
    .split('\n')
    .map((line) =>
      line.replace(
        /^((?:tierwise_collector_duration_seconds|tierwise_agent_scrape_duration_seconds_\w+)(?:\{[^}]*\})?) .*$/,
        '$1 <duration>',
      ),
    )
    .join('\n');
}

/**
 * node_exporter's habit: start the agent on a fixture tree and diff /metrics against a golden file
 * (regenerate with UPDATE_GOLDEN=1 after a deliberate change), which promtool also lints.
 */
describe('golden /metrics on the node_exporter fixture tree', () => {
  it('matches the golden file and passes promtool check metrics', async () => {
    const { app } = await createAgent({
      paths: {
        procfs: fixturePath('proc-sys/node_exporter__proc'),
        sysfs: fixturePath('proc-sys/x86-hwmon-rapl__node_exporter/sys'),
        rootfs: fixturePath('proc-sys/node_exporter__proc/no-rootfs'),
      },
      config: defaultConfig().agent,
      webConfig: { headers: {} },
      // Host facts (hostname, speed), the process's own figures and the GPUs (nvidia-smi from PATH)
      // differ on every machine.
      disabled: new Set(['inventory', 'process', 'uname', 'os', 'gpu']),
      log: silentLogger,
    });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();
    expect(res.statusCode).toBe(200);
    const text = res.body;
    if (process.env.UPDATE_GOLDEN) await writeFile(goldenFile, normalise(text));
    expect(normalise(text)).toBe(normalise(await readFile(goldenFile, 'utf8')));

    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    // node_exporter's meminfo names (node_memory_MemTotal_bytes) are camelCase by design; promtool flags
    // them in node_exporter's own output too. Any other finding, or a parse error, fails.
    const findings = `${lint.stdout}${lint.stderr}`
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter(
        (l) => !/^node_memory_\w+ metric names should be written in 'snake_case' not 'camelCase'$/.test(l),
      );
    expect(findings).toEqual([]);
  });
});
