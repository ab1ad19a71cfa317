import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultConfig } from '../../common/config.ts';
import { writeRuleFiles } from '../../rules/index.ts';
import { type RunningAgent, startAgentProcess } from '../support/agent-process.ts';
import { type FakeNvidiaSmi, fakeNvidiaSmi } from '../support/fake-nvidia-smi.ts';
import { readFixture, tempDir } from '../support/fixtures.ts';
import { gpuWorkstationAgent, type PlugHttpServer, startPlugHttpServer } from '../support/plug-servers.ts';
import { freePort, type Started, startProcess, waitFor } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

const value = (r: { value: [number, string] }[]) => Number(r[0]?.value[1]);

/**
 * The generated recording rules in Debian's Prometheus, over real exporters: the tierwise agent (with a
 * replayed Shelly plug and a stand-in nvidia-smi replaying an RTX 4080 SUPER) as machine "gpubox", and
 * Debian's node_exporter as machine "nexp". Both run on this machine, so their contract series agree.
 */
describe('recording rules over real exporters', () => {
  let prom: TestPrometheus;
  let agent: RunningAgent;
  let nodeExporter: Started;
  let plug: PlugHttpServer;
  let gpu: FakeNvidiaSmi;
  const recorded = JSON.parse(readFixture('smart-plugs/shelly/gen1_plug-s_status.json')) as {
    meters: { power: number }[];
  };

  // The plug's replay server closes with the test that started it, so everything starts in the test.
  async function start() {
    const dir = await tempDir('rules-e2e');
    plug = await startPlugHttpServer({
      '/status': readFixture('smart-plugs/shelly/gen1_plug-s_status.json'),
    });
    gpu = await fakeNvidiaSmi({ captures: ['rtx4080'] });
    const config = path.join(dir, 'tierwise.yml');
    await writeFile(
      config,
      stringify({
        agent: gpuWorkstationAgent(plug.address, gpu.bin),
      }),
    );
    agent = await startAgentProcess([`--config=${config}`]);
    const nodeExporterPort = await freePort();
    nodeExporter = startProcess('prometheus-node-exporter', [
      `--web.listen-address=127.0.0.1:${nodeExporterPort}`,
      '--collector.disable-defaults',
      '--collector.cpu',
      '--collector.meminfo',
      '--collector.thermal_zone',
      '--collector.hwmon',
    ]);
    await waitFor('node_exporter', async () =>
      (await fetch(`http://127.0.0.1:${nodeExporterPort}/metrics`).catch(() => undefined))?.ok
        ? true
        : undefined,
    );
    const ruleFiles = await writeRuleFiles(path.join(dir, 'rules'), defaultConfig());
    prom = await startPrometheus({
      scrapeConfigs: [
        {
          job_name: 'tierwise-agent',
          static_configs: [{ targets: [agent.address], labels: { instance: 'gpubox' } }],
        },
        {
          job_name: 'node',
          static_configs: [{ targets: [`127.0.0.1:${nodeExporterPort}`], labels: { instance: 'nexp' } }],
        },
      ],
      ruleFiles,
    });
  }

  afterAll(async () => {
    await prom?.stop();
    await agent?.stop();
    await nodeExporter?.stop();
    await gpu?.remove();
  });

  it('evaluates the contract over the agent and node_exporter', async () => {
    await start();
    // loads every rule group without evaluation errors
    const res = await fetch(`${prom.url}/api/v1/rules`);
    const body = (await res.json()) as {
      data: { groups: { name: string; rules: { health: string; lastError?: string; name: string }[] }[] };
    };
    expect(body.data.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'tierwise-node',
        'tierwise-power',
        'tierwise-workload',
        'tierwise-availability',
      ]),
    );
    // Wait for one evaluation of everything, then no rule may be unhealthy.
    await prom.waitForQuery('tierwise:workload_power_watts{instance="gpubox"}');
    const again = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as typeof body;
    const broken = again.data.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.health === 'err')
      .map((r) => `${r.name}: ${r.lastError}`);
    expect(broken).toEqual([]);

    // gives the same CPU and memory figures from the agent and from node_exporter
    const cores = await prom.waitForQuery('tierwise:node_cpu_cores', (r) => r.length === 2);
    expect(cores.map((s) => s.value[1])).toEqual([String(os.cpus().length), String(os.cpus().length)]);
    const used = await prom.waitForQuery('tierwise:node_memory_used_bytes', (r) => r.length === 2);
    const [a, b] = used.map((s) => Number(s.value[1]));
    expect(Math.abs((a ?? 0) - (b ?? 0)) / (a ?? 1)).toBeLessThan(0.1);
    const busy = await prom.waitForQuery('tierwise:node_cpu_busy_cores:rate5m', (r) => r.length === 2);
    const [x, y] = busy.map((s) => Number(s.value[1]));
    expect(Math.abs((x ?? 0) - (y ?? 0))).toBeLessThan(0.5);

    // takes the plug as gpubox's power, and the stand-in GPU's board power per GPU
    const power = await prom.waitForQuery('tierwise:node_power_watts{instance="gpubox"}');
    expect(power[0]?.metric.source).toBe('plug');
    expect(value(power)).toBeCloseTo(recorded.meters[0]?.power ?? -1, 6);
    const board = await prom.waitForQuery('tierwise:gpu_power_watts{instance="gpubox"}');
    expect(board[0]?.metric.uuid).toMatch(/^GPU-/);
    expect(value(board)).toBeCloseTo(84.24, 6); // power.draw in the RTX 4080 SUPER capture
    const sources = await prom.waitForQuery(
      'tierwise:node_source_power_watts{instance="gpubox"}',
      (r) => r.length === 3,
    );
    expect(sources.map((s) => s.metric.source).sort()).toEqual(['gpu', 'model', 'plug']);

    // splits gpubox's power over its workloads and idle, adding up to the machine
    const diff = await prom.waitForQuery(
      'sum by (instance) (tierwise:workload_power_watts) - on (instance) max by (instance) (tierwise:node_power_watts)',
    );
    expect(Math.abs(value(diff))).toBeLessThan(1e-6);
    const idle = await prom.waitForQuery('tierwise:workload_power_watts{instance="gpubox", workload="idle"}');
    expect(value(idle)).toBeGreaterThan(0);
    const workloads = await prom.waitForQuery('tierwise:workload_cpu_cores:rate5m{instance="gpubox"}');
    expect(workloads.length).toBeGreaterThan(0);

    // routes alerts by the tier the inventory reports
    const tier = await prom.waitForQuery('tierwise:node_tier_info{instance="gpubox"}');
    expect(tier[0]?.metric.tier).toBe('workstation');
  }, 90_000);
});
