import { type CollectorDefinition, readOptional, sysPath } from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { decodeThrottled, parseSysfsThrottled, parseVcgencmdThrottled } from '../parsers/rpi-throttled.ts';
import { cachedRun, runVcgencmd } from '../rpi/vcgencmd.ts';

export interface RpiCollectorOptions {
  /** The vcgencmd binary: an absolute path, or a name looked up in PATH. */
  vcgencmd?: string;
  /** How long vcgencmd may take before it is killed. */
  timeoutMs?: number;
  /** How long one vcgencmd answer (or failure) is reused, so scrapes spawn it at most this often. */
  cacheMs?: number;
}

type Source = 'sysfs' | 'vcgencmd';

function throttleFamilies(mask: number, source: Source): MetricFamily[] {
  const out = new FamilyBuilder().gauge(
    'tierwise_rpi_throttled_raw',
    'Raspberry Pi firmware throttling bitmask, as vcgencmd get_throttled prints it.',
    mask,
  );
  for (const { flag, period, set } of decodeThrottled(mask)) {
    out.gauge(
      'tierwise_rpi_throttle_flag',
      'Raspberry Pi under-voltage, frequency capping, throttling and soft temperature limit: now, and since boot.',
      set ? 1 : 0,
      { flag, period },
    );
  }
  return out
    .gauge('tierwise_rpi_throttle_source_info', 'Where the throttling bitmask was read from.', 1, { source })
    .build();
}

async function askVcgencmd(bin: string, timeoutMs: number): Promise<number> {
  const stdout = await runVcgencmd(
    bin,
    ['get_throttled'],
    timeoutMs,
    `not a Raspberry Pi: no firmware get_throttled in sysfs and no ${bin} to run`,
  );
  const mask = parseVcgencmdThrottled(stdout);
  if (mask === undefined) {
    throw new Error(`${bin} get_throttled printed no throttled= line: "${stdout.trim()}"`);
  }
  return mask;
}

/**
 * Raspberry Pi throttling and under-voltage flags. The firmware driver's sysfs node is read on every
 * scrape (a cached value on current kernels); where it is missing, vcgencmd is asked instead, at most
 * once per `cacheMs`, because spawning a process per scrape is too much for a Pi Zero and a hung
 * firmware call must not pile up processes.
 */
export function createRpiCollector(options: RpiCollectorOptions = {}): CollectorDefinition {
  const { vcgencmd = 'vcgencmd', timeoutMs = 2_000, cacheMs = 60_000 } = options;
  return {
    name: 'rpi',
    description: 'Raspberry Pi under-voltage and throttling flags from the firmware (sysfs, else vcgencmd).',
    defaultEnabled: true,
    create: ({ paths }) => {
      const cachedVcgencmd = cachedRun(() => askVcgencmd(vcgencmd, timeoutMs), cacheMs);

      return {
        async collect() {
          const file = sysPath(paths, 'devices', 'platform', 'soc', 'soc:firmware', 'get_throttled');
          const text = await readOptional(file);
          if (text === undefined) return throttleFamilies(await cachedVcgencmd(), 'vcgencmd');
          const mask = parseSysfsThrottled(text);
          if (mask === undefined) throw new Error(`${file}: expected a hex bitmask, got "${text.trim()}"`);
          return throttleFamilies(mask, 'sysfs');
        },
      };
    },
  };
}

export const rpiCollector: CollectorDefinition = createRpiCollector();
