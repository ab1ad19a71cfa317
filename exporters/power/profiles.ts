/**
 * How much a machine draws idle and at full CPU load, and the shape in between. Built-in profiles are
 * wall measurements (power supply included) from ../shared/power-profiles/profiles.csv; `source` names
 * the row and where it came from. Users add their own in tierwise.yml (agent.power.profiles), ideally
 * fitted by `tierwise calibrate`.
 */
export interface PowerProfile {
  idleWatts: number;
  maxWatts: number;
  /**
   * Points (utilisation, fraction of the idle-to-max span) between (0, 0) and (1, 1), joined by straight
   * lines; none means a straight line. SPECpower's points are at fractions of peak throughput, which is
   * close to, not the same as, CPU busy time.
   */
  curve?: ReadonlyArray<readonly [number, number]>;
  source: string;
}

const GEERLING = 'Jeff Geerling, sbc-reviews (idle at the wall; max under stress-ng --matrix 0)';

/** Fractions of (max − idle) at 10 … 90 % load, from a SPECpower result's average watts. */
function specpowerCurve(idle: number, max: number, points: number[]): [number, number][] {
  return points.map((w, i) => [(i + 1) / 10, (w - idle) / (max - idle)]);
}

export const BUILT_IN_PROFILES: Record<string, PowerProfile> = {
  'rpi-zero-2': {
    idleWatts: 0.75,
    maxWatts: 2.33,
    source: 'profiles.csv #1: Thomas Kaiser, "A quick look at RPi Zero 2 W" (wall, 7-zip on 4 cores)',
  },
  'rpi-3b-plus': { idleWatts: 3.1, maxWatts: 5.6, source: `profiles.csv #4: ${GEERLING}, issue 16` },
  'rpi-4b': {
    idleWatts: 3.0,
    maxWatts: 6.3,
    source: 'profiles.csv #12: chipwired.com, Pi 4 at the wall with a household meter',
  },
  'rpi-5': { idleWatts: 2.8, maxWatts: 9.7, source: `profiles.csv #15: ${GEERLING}, issue 21` },
  'mini-pc-n100': {
    idleWatts: 9.3,
    maxWatts: 25,
    source: `profiles.csv #22: ${GEERLING}, issue 64 (GMKtec NucBox G3 Plus, Intel N150)`,
  },
  'desktop-gpu': {
    idleWatts: 34.5,
    maxWatts: 244.5,
    source: `profiles.csv #32: ${GEERLING}, issue 93 (Core Ultra 7 265K with a Radeon AI Pro R9700, CPU load only)`,
  },
  'desktop-old': {
    idleWatts: 66,
    maxWatts: 139.9,
    source: `profiles.csv #36: ${GEERLING}, issue 88 (Dell OptiPlex 780, Core 2 Quad Q8400)`,
  },
  'small-server': {
    idleWatts: 20,
    maxWatts: 93.1,
    curve: specpowerCurve(20, 93.1, [25.1, 28.5, 32.3, 36.6, 41.7, 47.5, 55.9, 67.2, 81]),
    source: 'profiles.csv #54: SPECpower_ssj2008, Dell PowerEdge R240 (Xeon E-2xxx), 11-point curve',
  },
  'laptop-old': {
    idleWatts: 17,
    maxWatts: 31,
    source: 'profiles.csv #43: ThinkPad X30 (Pentium III 1.2 GHz) at the wall, Kill-A-Watt',
  },
};

/**
 * The built-in profile for a Raspberry Pi model string (/proc/device-tree/model, cpuinfo's Model), or
 * undefined for anything else.
 */
export function profileForPiModel(model: string): string | undefined {
  if (/Raspberry Pi Zero 2/.test(model)) return 'rpi-zero-2';
  if (/Raspberry Pi 3 Model B(?:\+| Plus)/.test(model)) return 'rpi-3b-plus';
  if (/Raspberry Pi (4 Model B|400|Compute Module 4)/.test(model)) return 'rpi-4b';
  if (/Raspberry Pi (5|500|Compute Module 5)/.test(model)) return 'rpi-5';
  return undefined;
}
