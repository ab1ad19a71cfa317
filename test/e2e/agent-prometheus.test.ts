import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgentProcess } from '../support/agent-process.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

/** Debian's Prometheus scrapes the running agent on this machine's real /proc and /sys. */
describe('Prometheus scrapes the agent', () => {
  let agent: RunningAgent;
  let prom: TestPrometheus;

  beforeAll(async () => {
    agent = await startAgentProcess();
    prom = await startPrometheus([{ job_name: 'tierwise', static_configs: [{ targets: [agent.address] }] }]);
  });

  afterAll(async () => {
    await prom?.stop();
    await agent?.stop();
  });

  it('marks the target up', async () => {
    const up = await prom.waitForQuery('up{job="tierwise"} == 1');
    expect(up[0]?.metric.instance).toBe(agent.address);
  });

  it.each([
    ['CPU', 'sum by (mode) (node_cpu_seconds_total)'],
    ['memory', 'node_memory_MemAvailable_bytes'],
    ['filesystem', 'node_filesystem_size_bytes{mountpoint="/"}'],
    ['disk', 'node_disk_reads_completed_total'],
    ['network', 'node_network_receive_bytes_total{device="lo"}'],
    ['load', 'node_load1'],
    ['boot time', 'node_boot_time_seconds'],
    ['inventory', 'tierwise_node_info'],
    ['speed score', 'tierwise_node_cpu_speed_score'],
  ])('stores the %s series', async (_what, expr) => {
    const result = await prom.waitForQuery(expr);
    for (const sample of result) expect(Number(sample.value[1])).toBeGreaterThanOrEqual(0);
  });

  it('reports every default collector with an up series', async () => {
    const result = await prom.waitForQuery('tierwise_collector_up');
    const names = result.map((s) => s.metric.collector).sort();
    expect(names).toEqual(
      expect.arrayContaining(['cpu', 'diskstats', 'filesystem', 'inventory', 'meminfo', 'netdev']),
    );
    const down = result
      .filter((s) => s.value[1] === '0')
      .map((s) => `${s.metric.collector}: ${s.metric.reason}`);
    // Collectors of hardware this machine lacks may be down, but only with a reason.
    for (const line of down) expect(line).toMatch(/: .+/);
  });

  it('agrees with the kernel on memory size', async () => {
    const [total] = await prom.waitForQuery('node_memory_MemTotal_bytes');
    const [inventory] = await prom.waitForQuery('tierwise_node_memory_bytes');
    expect(total?.value[1]).toBe(inventory?.value[1]);
  });
});
