import { type CollectorDefinition, NoDataError, sysPath } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';
import { EnergyCounter, PowerIntegrator } from '../power/energy-counter.ts';
import { HWMON_POWER_FILE, hwmonPowerReadings } from '../power/hwmon-power.ts';
import { addNodePower } from '../power/series.ts';
import { readSysfsClass } from '../sysfs.ts';

/**
 * Node power from hwmon chips whose scope is known: an ACPI power meter (the whole machine, source
 * hwmon) and AMD graphics cards (source gpu, vendor amd). Energy from the chip's counter where it has
 * one, else integrated from the power readings.
 */
export const hwmonPowerCollector: CollectorDefinition = {
  name: 'hwmon_power',
  description: 'node power from ACPI power meters and AMD GPUs (hwmon power*/energy* sensors)',
  defaultEnabled: true,
  create({ paths }) {
    const counters = new Map<string, EnergyCounter>();
    const integrators = new Map<string, PowerIntegrator>();
    return {
      async collect() {
        const chips = await readSysfsClass(sysPath(paths, 'class/hwmon'), /^hwmon\d+$/, (f) =>
          HWMON_POWER_FILE.test(f),
        );
        const readings = hwmonPowerReadings(chips ?? []);
        if (readings.length === 0)
          throw new NoDataError('no power meter or AMD GPU power sensor under class/hwmon');
        const now = Date.now();
        const totals = { system: { watts: 0, joules: 0 }, gpu: { watts: 0, joules: 0 } };
        for (const r of readings) {
          let joules: number;
          if (r.joules !== undefined) {
            const counter = counters.get(r.chip) ?? new EnergyCounter();
            counters.set(r.chip, counter);
            counter.update(r.joules, now);
            joules = counter.joules;
          } else {
            const integrator = integrators.get(r.chip) ?? new PowerIntegrator();
            integrators.set(r.chip, integrator);
            integrator.add(r.watts ?? 0, now);
            joules = integrator.joules;
          }
          totals[r.scope].watts += r.watts ?? 0;
          totals[r.scope].joules += joules;
        }
        const b = new FamilyBuilder();
        if (readings.some((r) => r.scope === 'system')) addNodePower(b, 'hwmon', totals.system);
        if (readings.some((r) => r.scope === 'gpu')) addNodePower(b, 'gpu', totals.gpu, { vendor: 'amd' });
        return b.build();
      },
    };
  },
};
