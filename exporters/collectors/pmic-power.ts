import type { CollectorDefinition } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';
import { parsePmicReadAdc, pmicWatts } from '../parsers/pmic.ts';
import { PowerIntegrator } from '../power/energy-counter.ts';
import { addNodePower } from '../power/series.ts';
import { cachedRun, runVcgencmd } from '../rpi/vcgencmd.ts';

export interface PmicCollectorOptions {
  vcgencmd?: string;
  timeoutMs?: number;
  /** How long one reading is served: the PMIC's ADC is read through the firmware, a process per read. */
  cacheMs?: number;
}

/**
 * A Raspberry Pi 5's own power, from its PMIC's rails (vcgencmd pmic_read_adc). Only the Pi 5 has this;
 * older boards have no sensor and fall to the model. Energy is integrated from the readings.
 */
export function createPmicCollector(options: PmicCollectorOptions = {}): CollectorDefinition {
  const { vcgencmd = 'vcgencmd', timeoutMs = 2_000, cacheMs = 10_000 } = options;
  return {
    name: 'pmic_power',
    description: 'Raspberry Pi 5 board power from its PMIC rails (vcgencmd pmic_read_adc)',
    defaultEnabled: true,
    create() {
      const read = cachedRun(async () => {
        const text = await runVcgencmd(
          vcgencmd,
          ['pmic_read_adc'],
          timeoutMs,
          `not a Raspberry Pi 5: no ${vcgencmd} to run`,
        );
        const rails = parsePmicReadAdc(text);
        // Pi 4 and older firmware answer with an error or nothing: no PMIC to read.
        if (!rails.some((r) => r.amps !== undefined))
          throw new Error(`${vcgencmd} pmic_read_adc gave no currents`);
        return { watts: pmicWatts(rails), atMs: Date.now() };
      }, cacheMs);
      const energy = new PowerIntegrator();
      return {
        async collect() {
          const reading = await read();
          // A cached reading comes back with its own time, so it is not counted twice.
          energy.add(reading.watts, reading.atMs);
          const b = new FamilyBuilder();
          addNodePower(b, 'pmic', { watts: reading.watts, joules: energy.joules });
          return b.build();
        },
      };
    },
  };
}

export const pmicPowerCollector: CollectorDefinition = createPmicCollector();
