import { type CollectorDefinition, NoDataError } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';
import { EnergyCounter } from '../power/energy-counter.ts';
import { nodeZones, readRaplZones } from '../power/rapl.ts';
import { addNodePower } from '../power/series.ts';

const ROOT_ONLY =
  'energy_uj is readable by root only (Linux 5.10+, CVE-2020-8694): run the agent as root, or add a udev ' +
  'rule or tmpfiles entry that makes /sys/class/powercap/intel-rapl:*/energy_uj readable by its group';

/**
 * RAPL energy from powercap: node_exporter's node_rapl_<zone>_joules_total (the raw counter, for its
 * dashboards), and tierwise_node_energy_joules_total / _power_watts{source="rapl"}: the node's zones,
 * kept monotonic across the counter's wrap-around.
 */
export const raplCollector: CollectorDefinition = {
  name: 'rapl',
  description: 'CPU package, DRAM and platform energy from RAPL (Intel, AMD Zen) via powercap',
  defaultEnabled: true,
  create({ paths }) {
    const counters = new Map<string, EnergyCounter>();
    return {
      async collect() {
        const zones = await readRaplZones(paths.sysfs);
        if (!zones || zones.length === 0) throw new NoDataError('no RAPL zones under class/powercap');
        const denied = zones.find((z) => z.unreadable === 'EACCES' || z.unreadable === 'EPERM');
        if (denied) throw new Error(ROOT_ONLY);
        const now = Date.now();
        const b = new FamilyBuilder();
        for (const z of zones) {
          if (z.energyJoules === undefined) continue;
          b.counter(
            `node_rapl_${z.zone.replace(/[^a-zA-Z0-9_]/g, '_')}_joules_total`,
            `Current RAPL ${z.zone} value in joules`,
            z.energyJoules,
            { index: z.index, path: z.path },
          );
          const counter = counters.get(z.path) ?? new EnergyCounter(z.wrapJoules);
          counters.set(z.path, counter);
          counter.update(z.energyJoules, now);
        }
        const node = nodeZones(zones).flatMap((z) => counters.get(z.path) ?? []);
        if (node.length === 0) throw new NoDataError('no readable RAPL package or platform zone');
        const watts = node.map((c) => c.power);
        addNodePower(b, 'rapl', {
          joules: node.reduce((sum, c) => sum + c.joules, 0),
          watts: watts.every((w) => w !== undefined)
            ? watts.reduce((sum: number, w) => sum + w, 0)
            : undefined,
        });
        return b.build();
      },
    };
  },
};
