import { type CollectorDefinition, NoDataError, sysPath } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';
import { BATTERY_FILES, batteryDischargeWatts } from '../power/battery.ts';
import { PowerIntegrator } from '../power/energy-counter.ts';
import { addNodePower } from '../power/series.ts';
import { readSysfsClass } from '../sysfs.ts';

/**
 * A laptop on battery measures its own draw. Energy is integrated from the power readings (scrape to
 * scrape, trapezoid), since batteries count charge left, not energy used; it grows only while the
 * machine runs on battery.
 */
export const batteryPowerCollector: CollectorDefinition = {
  name: 'battery_power',
  description:
    'what a laptop draws while discharging its battery (power_supply power_now, or current × voltage)',
  defaultEnabled: true,
  create({ paths }) {
    const energy = new PowerIntegrator();
    return {
      async collect() {
        const supplies = await readSysfsClass(sysPath(paths, 'class/power_supply'), /./, (f) =>
          BATTERY_FILES.includes(f),
        );
        if (!supplies?.some((s) => s.values.get('type')?.trim() === 'Battery'))
          throw new NoDataError('no battery under class/power_supply');
        const watts = batteryDischargeWatts(supplies);
        if (watts === undefined) {
          energy.restart();
          throw new NoDataError('on AC: the battery does not see what the machine draws');
        }
        energy.add(watts, Date.now());
        const b = new FamilyBuilder();
        addNodePower(b, 'battery', { watts, joules: energy.joules });
        return b.build();
      },
    };
  },
};
