import { type CollectorDefinition, procPath, readRequired } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';
import { parseNetDev, RECEIVE_FIELDS, TRANSMIT_FIELDS } from '../parsers/netdev.ts';

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
        const text = await readRequired(file);
        const b = new FamilyBuilder();
        for (const { device, receive, transmit } of parseNetDev(text)) {
          if (exclude?.test(device)) continue;
          for (const field of RECEIVE_FIELDS) add(b, 'receive', field, receive[field], device);
          for (const field of TRANSMIT_FIELDS) add(b, 'transmit', field, transmit[field], device);
        }
        return b.build();
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
