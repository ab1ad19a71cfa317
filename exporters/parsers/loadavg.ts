/** The 1, 5 and 15 minute load averages from /proc/loadavg. */
export interface LoadAverage {
  load1: number;
  load5: number;
  load15: number;
}

const WHITESPACE = /\s+/;
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * Parses the text of /proc/loadavg ("0.21 0.37 0.39 1/719 19737"); only the three averages are read.
 * Throws on an empty file, fewer than three fields or an average that is not a plain decimal.
 */
export function parseLoadavg(text: string): LoadAverage {
  const fields = text.trim().split(WHITESPACE);
  if (fields.length < 3) throw new Error(`/proc/loadavg: expected 3 load averages, got "${text.trim()}"`);
  const [load1, load5, load15] = fields.slice(0, 3).map((field) => {
    if (!DECIMAL.test(field)) throw new Error(`/proc/loadavg: "${field}" is not a load average`);
    return Number(field);
  }) as [number, number, number];
  return { load1, load5, load15 };
}
