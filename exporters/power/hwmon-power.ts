import type { SysfsClassEntry } from '../sysfs.ts';

/** What a hwmon chip's power sensors measure, for the chips whose scope is known. */
export type HwmonPowerScope = 'system' | 'gpu';

/**
 * ACPI's power_meter (servers' BMC-backed meters) measures the machine's input; amdgpu a graphics card.
 * Other chips' power sensors (board rails, CPU estimates) stay in node_hwmon_power_* only, since adding
 * them would count parts of the machine twice.
 */
const SCOPES: Record<string, HwmonPowerScope> = { power_meter: 'system', amdgpu: 'gpu' };

export const HWMON_POWER_FILE = /^(?:name|power\d+_(?:average|input)|energy\d+_input)$/;

export interface HwmonPowerReading {
  chip: string;
  scope: HwmonPowerScope;
  watts?: number;
  /** The raw energy counter, where the chip has one. */
  joules?: number;
}

/**
 * The power (µW) and energy (µJ) of each known chip, summed over its sensors; per sensor the averaged
 * reading is preferred to the instantaneous one, as node_exporter's users chart it.
 */
export function hwmonPowerReadings(chips: SysfsClassEntry[]): HwmonPowerReading[] {
  const readings: HwmonPowerReading[] = [];
  for (const chip of chips) {
    const name = chip.values.get('name')?.trim() ?? '';
    const scope = SCOPES[name];
    if (scope === undefined) continue;
    const reading: HwmonPowerReading = { chip: chip.name, scope };
    const sensors = new Set([...chip.values.keys()].flatMap((f) => /^power(\d+)_/.exec(f)?.[1] ?? []));
    for (const n of sensors) {
      const file = chip.values.has(`power${n}_average`) ? `power${n}_average` : `power${n}_input`;
      reading.watts = (reading.watts ?? 0) + micro(chip.values.get(file) ?? '', `${chip.path}/${file}`);
    }
    for (const [file, text] of chip.values)
      if (/^energy\d+_input$/.test(file))
        reading.joules = (reading.joules ?? 0) + micro(text, `${chip.path}/${file}`);
    if (reading.watts !== undefined || reading.joules !== undefined) readings.push(reading);
  }
  return readings;
}

function micro(text: string, file: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new Error(`${file}: expected an unsigned integer, got "${t}"`);
  return Number(t) / 1e6;
}
