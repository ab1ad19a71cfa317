import { type CollectorDefinition, NoDataError, sysPath } from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { logFailedAttributes, readSysfsClass, type SysfsClassEntry } from '../sysfs.ts';

const ENTRY = /^(thermal_zone|cooling_device)(\d+)$/;
const WANTED = new Set(['type', 'temp', 'mode', 'cur_state', 'max_state']);
const INTEGER = /^-?\d+$/;

function integer(entry: SysfsClassEntry, file: string): number | undefined {
  const text = entry.values.get(file)?.trim();
  return text !== undefined && INTEGER.test(text) ? Number(text) : undefined;
}

type Reason = string | undefined;

function addZone(out: FamilyBuilder, entry: SysfsClassEntry, zone: string, type: string): Reason {
  if (entry.values.get('mode')?.trim() === 'disabled') return 'zone disabled';
  const milliCelsius = integer(entry, 'temp');
  if (milliCelsius === undefined) return 'no readable temp';
  out.gauge('node_thermal_zone_temp', 'Zone temperature in Celsius', milliCelsius / 1000, { zone, type });
  return undefined;
}

function addCoolingDevice(out: FamilyBuilder, entry: SysfsClassEntry, name: string, type: string): Reason {
  // cur_state is -1 for intel_powerclamp while idle; it is passed on as is, like node_exporter.
  const cur = integer(entry, 'cur_state');
  const max = integer(entry, 'max_state');
  if (cur === undefined || max === undefined) return 'no readable cur_state or max_state';
  const labels = { name, type };
  out.gauge('node_cooling_device_cur_state', 'Current throttle state of the cooling device', cur, labels);
  out.gauge('node_cooling_device_max_state', 'Maximum throttle state of the cooling device', max, labels);
  return undefined;
}

const byNumber = (a: SysfsClassEntry, b: SysfsClassEntry): number =>
  a.name.localeCompare(b.name, 'en', { numeric: true });

/**
 * node_thermal_zone_temp and node_cooling_device_*_state for the thermal_zoneN and cooling_deviceN
 * entries of /sys/class/thermal, in number order; shared with the SSH probe. An entry without a
 * readable type or value is left out, and passed to `skipped` with the reason.
 */
export function thermalFamilies(
  entries: readonly SysfsClassEntry[],
  skipped: (entry: SysfsClassEntry, reason: string) => void = () => {},
): MetricFamily[] {
  const out = new FamilyBuilder();
  for (const entry of [...entries].sort(byNumber)) {
    const [, kind, number = ''] = ENTRY.exec(entry.name) ?? [];
    const type = entry.values.get('type')?.trim();
    let reason: Reason = 'no readable type';
    if (type !== undefined) {
      reason =
        kind === 'thermal_zone'
          ? addZone(out, entry, number, type)
          : addCoolingDevice(out, entry, number, type);
    }
    // Left out rather than failing the scrape, as prometheus/procfs does: laptops have zones that
    // answer ENODATA while their device sleeps (iwlwifi with Wi-Fi off), and failing the whole
    // collector for them would hide the CPU zone next to them.
    if (reason !== undefined) skipped(entry, reason);
  }
  return out.build();
}

export const thermalZoneCollector: CollectorDefinition = {
  name: 'thermal_zone',
  description:
    'Thermal zone temperatures and cooling device states from /sys/class/thermal, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths, log }) => ({
    async collect() {
      const entries = await readSysfsClass(sysPath(paths, 'class', 'thermal'), ENTRY, (f) => WANTED.has(f));
      if (entries === undefined) throw new NoDataError('no /sys/class/thermal');
      if (entries.length === 0) {
        throw new NoDataError('no thermal zones or cooling devices in /sys/class/thermal');
      }

      return thermalFamilies(entries, (entry, reason) => {
        logFailedAttributes(log, entry.path, entry.failed);
        log.debug({ dir: entry.path, reason }, 'thermal device skipped');
      });
    },
  }),
};
