import { parseUnsigned } from './proc-stat.ts';

const WHITESPACE = /\s+/;
const CPU_RANGE = /^(\d+)(?:-(\d+))?$/;

/**
 * A cpufreq frequency attribute (cpuinfo_cur_freq, scaling_max_freq, …), which the kernel prints in kHz,
 * converted to hertz. Undefined when the driver prints "<unknown>" (cpuinfo_cur_freq when the hardware
 * cannot be asked). Throws on anything else that is not a number.
 */
export function parseKilohertz(text: string, file: string): number | undefined {
  const value = text.trim();
  if (value === '<unknown>') return undefined;
  return parseUnsigned(value, file) * 1000;
}

/** A CPU list such as /sys/devices/system/cpu/offline ("0-3,8,10-11"; empty when there is none). */
export function parseCpuList(text: string): Set<number> {
  const cpus = new Set<number>();
  const list = text.trim();
  if (list === '') return cpus;
  for (const part of list.split(',')) {
    const match = CPU_RANGE.exec(part);
    if (!match) throw new Error(`CPU list: "${part}" is not a CPU number or range`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return cpus;
}

/** scaling_available_governors: names separated by spaces. */
export function parseGovernors(text: string): string[] {
  const list = text.trim();
  return list === '' ? [] : list.split(WHITESPACE);
}
