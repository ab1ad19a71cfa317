/** One Raspberry Pi 5 PMIC rail: its voltage, and its current where the PMIC measures one. */
export interface PmicRail {
  rail: string;
  volts: number;
  amps?: number;
}

const LINE = /^\s*(\S+)_([AV]) (?:current|volt)\(\d+\)=(\d+(?:\.\d+)?)([AV])$/;

/**
 * Parses `vcgencmd pmic_read_adc` ("  VDD_CORE_A current(7)=10.87674000A", "VDD_CORE_V volt(15)=
 * 0.89745940V"), pairing each rail's current with its voltage. EXT5V_V (the 5 V input) and BATT_V (the
 * RTC cell) come without a current.
 */
export function parsePmicReadAdc(text: string): PmicRail[] {
  const rails = new Map<string, PmicRail>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m || m[2] !== m[4]) throw new Error(`pmic_read_adc: unexpected line "${line.trim()}"`);
    const rail = m[1] as string;
    const entry = rails.get(rail) ?? { rail, volts: Number.NaN };
    if (m[2] === 'A') entry.amps = Number(m[3]);
    else entry.volts = Number(m[3]);
    rails.set(rail, entry);
  }
  return [...rails.values()].filter((r) => !Number.isNaN(r.volts));
}

/**
 * Watts on the board's rails: Σ volts × amps over the rails the PMIC measures both of. It covers the
 * SoC, memory and on-board supplies, not the USB ports, fan, HATs or the power supply's own loss, so it
 * reads below a plug at the wall.
 */
export function pmicWatts(rails: PmicRail[]): number {
  return rails.reduce((sum, r) => sum + (r.amps === undefined ? 0 : r.volts * r.amps), 0);
}
