import { type CollectorDefinition, procPath, readRequired } from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { type NetDevStats, parseNetDev, RECEIVE_FIELDS, TRANSMIT_FIELDS } from '../parsers/netdev.ts';

/** node_network_*_total for every device `exclude` does not match; shared with the SSH probe. */
export function netdevFamilies(devices: readonly NetDevStats[], exclude?: RegExp): MetricFamily[] {
  const b = new FamilyBuilder();
  for (const { device, receive, transmit } of devices) {
    if (exclude?.test(device)) continue;
    for (const field of RECEIVE_FIELDS) add(b, 'receive', field, receive[field], device);
    for (const field of TRANSMIT_FIELDS) add(b, 'transmit', field, transmit[field], device);
  }
  return b.build();
}

export const netdevCollector: CollectorDefinition = {
  name: 'netdev',
  description: 'network interface counters from /proc/net/dev (node_network_*_total)',
  defaultEnabled: true,
  create: ({ paths, config }) => {
    const file = procPath(paths, 'net', 'dev');
    const exclude =
      config.netdev.device_exclude === undefined ? undefined : new RegExp(config.netdev.device_exclude);
    return {
      async collect() {
        return netdevFamilies(parseNetDev(await readRequired(file)), exclude);
      },
    };
  },
};

/** node_exporter's names and help texts; a column the kernel does not print gets no series, not a 0. */
function add(
  b: FamilyBuilder,
  direction: string,
  field: string,
  value: number | undefined,
  device: string,
): void {
  if (value === undefined) return;
  const stat = `${direction}_${field}`;
  b.counter(`node_network_${stat}_total`, `Network device statistic ${stat}.`, value, { device });
}
