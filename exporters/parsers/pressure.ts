/** Total stall time, in seconds, from one /proc/pressure/<resource> file (Linux ≥ 4.20, CONFIG_PSI). */
export interface PressureTotals {
  /** Time in which at least one task was stalled on the resource. */
  some?: number;
  /** Time in which all non-idle tasks were stalled at once; always 0 for cpu at system level. */
  full?: number;
}

const TOTAL = /(?:^|\s)total=(\d+)(?:\s|$)/;

/**
 * Parses one PSI file ("some avg10=0.00 avg60=0.00 avg300=0.00 total=14036781" and a "full" line);
 * irq has only a "full" line. Only the cumulative totals are read: the averages can be derived from
 * them with rate(). Lines of other kinds are ignored; a some/full line without a total, or a file with
 * neither, is an error. A missing final newline is accepted, as node_exporter does.
 */
export function parsePressure(text: string, resource: string): PressureTotals {
  const totals: PressureTotals = {};
  for (const line of text.split('\n')) {
    const kind = line.slice(0, line.indexOf(' '));
    if (kind !== 'some' && kind !== 'full') continue;
    const total = TOTAL.exec(line)?.[1];
    if (total === undefined) throw new Error(`/proc/pressure/${resource}: no total in "${line}"`);
    // Microseconds to seconds in two steps, as node_exporter does, so values agree bit for bit.
    totals[kind] = Number(total) / 1000 / 1000;
  }
  if (totals.some === undefined && totals.full === undefined) {
    throw new Error(`/proc/pressure/${resource}: no "some" or "full" line`);
  }
  return totals;
}
