import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startAgentProcess } from '../support/agent-process.ts';
import { readFixture, tempDir } from '../support/fixtures.ts';
import { shellyOnThisMachine, startPlugHttpServer } from '../support/plug-servers.ts';
import { startPrometheus } from '../support/prometheus.ts';

describe('power through Prometheus', () => {
  it("stores the plug's and the model's power of this machine, and names the plug the best source", async () => {
    // A Shelly Plug S (Gen1) replaying its recorded /status, feeding this machine.
    const plug = await startPlugHttpServer({
      '/status': readFixture('smart-plugs/shelly/gen1_plug-s_status.json'),
    });
    const config = path.join(await tempDir('power-e2e'), 'tierwise.yml');
    await writeFile(
      config,
      stringify({
        agent: {
          power: {
            profile: 'mini-pc-n100',
            plugs: [shellyOnThisMachine(plug.address)],
          },
        },
      }),
    );
    const agent = await startAgentProcess([`--config=${config}`]);
    const prom = await startPrometheus([
      { job_name: 'tierwise', static_configs: [{ targets: [agent.address] }] },
    ]);
    try {
      const recorded = JSON.parse(readFixture('smart-plugs/shelly/gen1_plug-s_status.json')) as {
        meters: { power: number; total: number }[];
      };
      const [plugWatts] = await prom.waitForQuery('tierwise_node_power_watts{source="plug"}');
      expect(Number(plugWatts?.value[1])).toBe(recorded.meters[0]?.power);
      const [energy] = await prom.waitForQuery('tierwise_node_energy_joules_total{source="plug"}');
      expect(Number(energy?.value[1])).toBe((recorded.meters[0]?.total ?? 0) * 60); // watt-minutes
      const [model] = await prom.waitForQuery('tierwise_node_power_watts{source="model"}');
      expect(Number(model?.value[1])).toBeGreaterThanOrEqual(9.3); // the N100 profile's idle
      expect(Number(model?.value[1])).toBeLessThanOrEqual(25);
      const best = await prom.waitForQuery('tierwise_node_power_source_info == 1');
      expect(best.map((s) => s.metric.source)).toEqual(['plug']);
      expect(plug.requests.length).toBeGreaterThan(0);
    } finally {
      await prom.stop();
      await agent.stop();
    }
  }, 60_000);
});
