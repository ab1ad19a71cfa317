import { describe, expect, it } from 'vitest';
import { collectFrom, procTrees, sampleValue } from '../../test/support/fixtures.ts';
import { expectNodeExporterHelp, nodeExporterFamilyNames } from '../../test/support/node-exporter-golden.ts';
import { extractTtar } from '../../test/support/ttar.ts';
import { NoDataError } from '../collector.ts';
import { netdevCollector } from './netdev.ts';

// node_exporter's fixture tree has no net/dev (its e2e test reads the CI host's loopback over netlink),
// so this uses the one in prometheus/procfs's fixtures.
const procfs = extractTtar('proc-sys/prometheus-procfs__fixtures.ttar', 'fixtures/proc', 'net/dev');

describe('netdevCollector', () => {
  it('emits every /proc/net/dev column per device', async () => {
    const families = await collectFrom(netdevCollector, { procfs });
    expect(families).toHaveLength(16);
    expect(families.every((f) => f.type === 'counter' && f.samples.length === 4)).toBe(true);
    expect(sampleValue(families, 'node_network_receive_bytes_total', { device: 'eth0' })).toBe(874354587);
    expect(sampleValue(families, 'node_network_transmit_packets_total', { device: 'eth0' })).toBe(732147);
    expect(sampleValue(families, 'node_network_receive_packets_total', { device: 'lo' })).toBe(1566805);
    expect(sampleValue(families, 'node_network_transmit_colls_total', { device: 'docker0' })).toBe(0);
  });

  it('uses node_exporter’s names, help texts and types', async () => {
    const families = await collectFrom(netdevCollector, { procfs });
    expectNodeExporterHelp(families);
    // The e2e values are the CI host's live loopback (netlink, --collector.netdev.device-include=lo,
    // bytes and packets filtered out), not fixture data, so only the family set compares. Netlink adds
    // receive_nohandler, which /proc/net/dev does not print.
    const e2eFamilies = new Set(
      nodeExporterFamilyNames((name) => /^node_network_(receive|transmit)_.*_total$/.test(name)),
    );
    e2eFamilies.add('node_network_receive_bytes_total');
    e2eFamilies.add('node_network_receive_packets_total');
    e2eFamilies.add('node_network_transmit_bytes_total');
    e2eFamilies.add('node_network_transmit_packets_total');
    e2eFamilies.delete('node_network_receive_nohandler_total');
    expect(families.map((f) => f.name).sort()).toEqual([...e2eFamilies].sort());
  });

  it('leaves out devices matching netdev.device_exclude', async () => {
    const families = await collectFrom(
      netdevCollector,
      { procfs },
      { netdev: { device_exclude: '^(veth|docker)' } },
    );
    expect(families[0]?.samples.map((s) => s.labels.device)).toEqual(['lo', 'eth0']);
  });

  it('reports no data where net/dev is missing, as in node_exporter’s fixture tree', async () => {
    await expect(collectFrom(netdevCollector, { procfs: procTrees.nodeExporter })).rejects.toThrow(
      NoDataError,
    );
  });

  it.runIf(process.platform === 'linux')('reads this machine’s /proc', async () => {
    const families = await collectFrom(netdevCollector, { procfs: '/proc' });
    expect(
      sampleValue(families, 'node_network_receive_bytes_total', { device: 'lo' }),
    ).toBeGreaterThanOrEqual(0);
  });
});
