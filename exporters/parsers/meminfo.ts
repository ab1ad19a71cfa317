import { sanitizeMetricName } from '../metrics.ts';
import { parseUnsigned } from './proc-stat.ts';

/** One /proc/meminfo field under node_exporter's name for it, without the `node_memory_` prefix. */
export interface MeminfoEntry {
  /** `Active(anon)` → `Active_anon_bytes`; `HugePages_Total` (a count) keeps its name. */
  key: string;
  /** Bytes for fields the kernel prints in kB, otherwise the count as printed. */
  value: number;
}

const WHITESPACE = /\s+/;
const PARENTHESISED = /\((.*)\)/;

/**
 * Parses the text of /proc/meminfo, in file order. Blank lines are skipped (some CentOS 6 kernels print
 * them). Throws on an empty or truncated file or a malformed line, because a line cut before its " kB"
 * would otherwise come out as a count under the wrong name.
 */
export function parseMeminfo(text: string): MeminfoEntry[] {
  if (text.length === 0) throw new Error('/proc/meminfo: the file is empty');
  if (!text.endsWith('\n')) throw new Error('/proc/meminfo: truncated, the last line has no newline');

  const entries = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(WHITESPACE);
    if (colon <= 0 || fields.length > 2 || (fields.length === 2 && fields[1] !== 'kB')) {
      throw new Error(`/proc/meminfo: malformed line "${line}"`);
    }
    const name = sanitizeMetricName(line.slice(0, colon).replace(PARENTHESISED, '_$1'));
    const value = parseUnsigned(fields[0], `/proc/meminfo ${name}`);
    if (fields.length === 2) entries.set(`${name}_bytes`, value * 1024);
    else entries.set(name, value);
  }
  if (entries.size === 0) throw new Error('/proc/meminfo: no fields');
  return [...entries].map(([key, value]) => ({ key, value }));
}
