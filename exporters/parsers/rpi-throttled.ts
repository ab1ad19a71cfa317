/**
 * The Raspberry Pi firmware's throttling bitmask, as `vcgencmd get_throttled` prints it
 * ("throttled=0x50005") and as the firmware driver's sysfs node get_throttled does ("50005\n").
 * Bits 0-3 say what is happening now, bits 16-19 whether it has happened since boot.
 */

export const THROTTLE_FLAGS = [
  'under_voltage',
  'arm_frequency_capped',
  'throttled',
  'soft_temp_limit',
] as const;
export type ThrottleFlag = (typeof THROTTLE_FLAGS)[number];

export interface ThrottleState {
  flag: ThrottleFlag;
  period: 'now' | 'since_boot';
  set: boolean;
}

const VCGENCMD_LINE = /^throttled=0x([0-9a-f]+)$/im;
const HEX = /^[0-9a-f]+$/i;
const SINCE_BOOT_SHIFT = 16;

/** The bitmask from `vcgencmd get_throttled` output, which may be mixed with other commands' lines. */
export function parseVcgencmdThrottled(text: string): number | undefined {
  const hex = VCGENCMD_LINE.exec(text.replaceAll('\r', ''))?.[1];
  return hex === undefined ? undefined : Number.parseInt(hex, 16);
}

/** The bitmask from /sys/devices/platform/soc/soc:firmware/get_throttled (bare hex, no 0x). */
export function parseSysfsThrottled(text: string): number | undefined {
  const hex = text.trim();
  return HEX.test(hex) ? Number.parseInt(hex, 16) : undefined;
}

/** Every flag in both periods, so a clear flag is reported as 0 rather than left out. */
export function decodeThrottled(mask: number): ThrottleState[] {
  return (['now', 'since_boot'] as const).flatMap((period) =>
    THROTTLE_FLAGS.map((flag, bit) => {
      const shift = bit + (period === 'since_boot' ? SINCE_BOOT_SHIFT : 0);
      return { flag, period, set: ((mask >>> shift) & 1) === 1 };
    }),
  );
}
