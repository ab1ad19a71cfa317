export const RECEIVE_FIELDS = [
  'bytes',
  'packets',
  'errs',
  'drop',
  'fifo',
  'frame',
  'compressed',
  'multicast',
] as const;
export const TRANSMIT_FIELDS = [
  'bytes',
  'packets',
  'errs',
  'drop',
  'fifo',
  'colls',
  'carrier',
  'compressed',
] as const;

export type ReceiveField = (typeof RECEIVE_FIELDS)[number];
export type TransmitField = (typeof TRANSMIT_FIELDS)[number];

export interface NetDevStats {
  device: string;
  /** Only the columns this kernel prints: 2.0 had no bytes, compressed or multicast. */
  receive: Partial<Record<ReceiveField, number>>;
  transmit: Partial<Record<TransmitField, number>>;
}

/**
 * /proc/net/dev. Columns are read from the second header line (`face |bytes packets …|bytes …`), which
 * names them on every kernel since 2.0, so older layouts need no version guessing. The name ends at the
 * last colon: older kernels printed `%6s:%8lu`, gluing big counters to it (`eth0:3449443498`), and
 * 2.0 alias devices carry a colon of their own (`eth0:1`).
 */
export function parseNetDev(text: string): NetDevStats[] {
  const lines = text.split('\n');
  const header = lines.find((l) => l.includes('face') && l.split('|').length === 3);
  if (!header) throw new Error('net/dev: no column header line');
  const [, rx = '', tx = ''] = header.split('|');
  const receive = rx.trim().split(/\s+/);
  const transmit = tx.trim().split(/\s+/);

  const devices: NetDevStats[] = [];
  for (const line of lines) {
    if (line.includes('|')) continue;
    const colon = line.lastIndexOf(':');
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    const values = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    // Old kernels print "dummy: No statistics available." for drivers without a get_stats hook.
    if (values[0] === 'No') continue;
    const numbers = values.map(Number);
    if (numbers.length !== receive.length + transmit.length || numbers.some(Number.isNaN)) {
      throw new Error(
        `net/dev: expected ${receive.length + transmit.length} counters for ${device}: ${line}`,
      );
    }
    devices.push({
      device,
      receive: pick(RECEIVE_FIELDS, receive, numbers.slice(0, receive.length)),
      transmit: pick(TRANSMIT_FIELDS, transmit, numbers.slice(receive.length)),
    });
  }
  return devices;
}

function pick<F extends string>(
  known: readonly F[],
  columns: string[],
  values: number[],
): Partial<Record<F, number>> {
  const out: Partial<Record<F, number>> = {};
  for (const [i, column] of columns.entries()) {
    if ((known as readonly string[]).includes(column)) out[column as F] = values[i];
  }
  return out;
}
