import type { SysfsClassEntry } from '../sysfs.ts';

/**
 * What a laptop draws while it runs on battery: the battery's discharge power, from power_now (µW) or,
 * where the driver gives only current and voltage (many Framework and ThinkPad firmwares), current_now ×
 * voltage_now (µA × µV). Only while discharging: on AC the battery sees its charge current, not the
 * machine's draw. Undefined when no battery is discharging.
 */
export function batteryDischargeWatts(supplies: SysfsClassEntry[]): number | undefined {
  let total: number | undefined;
  for (const s of supplies) {
    const v = (file: string) => s.values.get(file)?.trim();
    if (v('type') !== 'Battery' || v('status') !== 'Discharging') continue;
    const watts = powerOf(v('power_now'), v('current_now'), v('voltage_now'), s.path);
    if (watts !== undefined) total = (total ?? 0) + watts;
  }
  return total;
}

function powerOf(
  powerNow: string | undefined,
  currentNow: string | undefined,
  voltageNow: string | undefined,
  where: string,
): number | undefined {
  // Some drivers report discharge as a negative current or power; the magnitude is the draw.
  if (powerNow !== undefined) return Math.abs(integer(powerNow, `${where}/power_now`)) / 1e6;
  if (currentNow === undefined || voltageNow === undefined) return undefined;
  return (
    (Math.abs(integer(currentNow, `${where}/current_now`)) * integer(voltageNow, `${where}/voltage_now`)) /
    1e12
  );
}

function integer(text: string, file: string): number {
  if (!/^-?\d+$/.test(text)) throw new Error(`${file}: expected an integer, got "${text}"`);
  return Number(text);
}

export const BATTERY_FILES = ['type', 'status', 'power_now', 'current_now', 'voltage_now'];
