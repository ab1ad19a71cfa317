import type { CollectorContext, CollectorDefinition } from '../../collector.ts';
import { batteryPowerCollector } from '../../collectors/battery-power.ts';
import { hwmonPowerCollector } from '../../collectors/hwmon-power.ts';
import { plugPowerCollector } from '../../collectors/plug-power.ts';
import { pmicPowerCollector } from '../../collectors/pmic-power.ts';
import { powerModelCollector } from '../../collectors/power-model.ts';
import { raplCollector } from '../../collectors/rapl.ts';
import { readProcStat } from '../../collectors/stat.ts';
import { busyAndTotalSeconds } from '../../parsers/proc-stat.ts';
import type { PowerSource } from '../series.ts';
import type { Meter } from './load-steps.ts';

/** The collectors a local calibration can measure with. */
export const METER_COLLECTORS: Partial<Record<PowerSource, CollectorDefinition>> = {
  plug: plugPowerCollector,
  rapl: raplCollector,
  hwmon: hwmonPowerCollector,
  battery: batteryPowerCollector,
  pmic: pmicPowerCollector,
  model: powerModelCollector,
};

/** Reads a power source through the agent's own collector, as a scrape would. */
export function collectorMeter(ctx: CollectorContext, source: PowerSource): Meter {
  const definition = METER_COLLECTORS[source];
  if (!definition)
    throw new Error(
      `--source ${source} cannot be read locally (one of ${Object.keys(METER_COLLECTORS).join(', ')})`,
    );
  const collector = definition.create(ctx);
  return {
    async joules() {
      const families = await collector.collect();
      const sample = families
        .find((f) => f.name === 'tierwise_node_energy_joules_total')
        ?.samples.filter((s) => s.labels.source === source);
      // The model counts energy from its second reading on; the caller reads again.
      if (!sample?.length) throw new Error(`no energy reading from ${source} yet`);
      // Several plugs may feed one machine: its energy is their sum.
      return sample.reduce((sum, s) => sum + s.value, 0);
    },
    async cpuSeconds() {
      return busyAndTotalSeconds((await readProcStat(ctx.paths)).total);
    },
  };
}
