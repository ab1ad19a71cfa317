import { type CollectorDefinition, NoDataError, procPath, readOptional } from '../collector.ts';
import { FamilyBuilder } from '../metrics.ts';
import { type PressureTotals, parsePressure } from '../parsers/pressure.ts';

type Family = readonly [name: string, help: string];

/**
 * What node_exporter exports per resource: cpu only its "some" line (its system-wide "full" is always
 * 0), irq only "full" (the kernel has no "some" for it; irq needs Linux ≥ 6.1).
 */
const RESOURCES: ReadonlyArray<{ resource: string } & Partial<Record<keyof PressureTotals, Family>>> = [
  {
    resource: 'cpu',
    some: [
      'node_pressure_cpu_waiting_seconds_total',
      'Total time in seconds that processes have waited for CPU time',
    ],
  },
  {
    resource: 'io',
    some: [
      'node_pressure_io_waiting_seconds_total',
      'Total time in seconds that processes have waited due to IO congestion',
    ],
    full: [
      'node_pressure_io_stalled_seconds_total',
      'Total time in seconds no process could make progress due to IO congestion',
    ],
  },
  {
    resource: 'memory',
    some: [
      'node_pressure_memory_waiting_seconds_total',
      'Total time in seconds that processes have waited for memory',
    ],
    full: [
      'node_pressure_memory_stalled_seconds_total',
      'Total time in seconds no process could make progress due to memory congestion',
    ],
  },
  {
    resource: 'irq',
    full: [
      'node_pressure_irq_stalled_seconds_total',
      'Total time in seconds no process could make progress due to IRQ congestion',
    ],
  },
];

const KINDS = ['some', 'full'] as const;

async function readPressureFile(file: string): Promise<string | undefined> {
  try {
    return await readOptional(file);
  } catch (err) {
    // A kernel built with CONFIG_PSI_DEFAULT_DISABLED answers EOPNOTSUPP (Node: ENOTSUP) unless booted with psi=1.
    if ((err as NodeJS.ErrnoException).code === 'ENOTSUP') {
      throw new NoDataError('pressure stall information is disabled; boot with psi=1 to enable it');
    }
    throw err;
  }
}

export const pressureCollector: CollectorDefinition = {
  name: 'pressure',
  description: 'Pressure stall time for cpu, io, memory and irq from /proc/pressure, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths }) => ({
    async collect() {
      const texts = await Promise.all(
        RESOURCES.map(({ resource }) => readPressureFile(procPath(paths, 'pressure', resource))),
      );
      if (texts.every((text) => text === undefined)) {
        throw new NoDataError(
          `${procPath(paths, 'pressure')} does not exist: PSI needs Linux ≥ 4.20 with CONFIG_PSI`,
        );
      }
      const families = new FamilyBuilder();
      for (const [i, spec] of RESOURCES.entries()) {
        const text = texts[i];
        if (text === undefined) continue;
        const totals = parsePressure(text, spec.resource);
        for (const kind of KINDS) {
          const family = spec[kind];
          const value = totals[kind];
          if (family && value !== undefined) families.counter(family[0], family[1], value);
        }
      }
      return families.build();
    },
  }),
};
