import { PROBE_FORMAT } from './script.ts';

/**
 * The sections of one probe's output by key ("stat", "hwmon/hwmon0/temp1_input"), each exactly as the
 * target printed the file. A file the target does not have has no key.
 */
export type ProbeSections = ReadonlyMap<string, string>;

/**
 * What went wrong with the text: no markers at all (a shell that printed something else, a banner, a
 * binary), markers but no end (cut off: a dropped connection, a timeout), or markers out of place.
 * The prober reports every kind as reason "parse".
 */
export type ProbeOutputErrorKind = 'garbage' | 'truncated' | 'malformed';

export class ProbeOutputError extends Error {
  override readonly name = 'ProbeOutputError';
  constructor(
    readonly kind: ProbeOutputErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Top-level section names in the order the script prints them (a key's top level is the part before
 * its first "/"). Each appears at most once and never out of this order, so marker-like text inside a
 * file cannot pass for a section without breaking the order, the uniqueness or the end.
 */
const SECTION_ORDER = [
  'begin',
  'stat',
  'meminfo',
  'min-free-kbytes',
  'loadavg',
  'uptime',
  'diskstats',
  'partitions',
  'net-dev',
  'mountinfo',
  'mounts',
  'hwmon',
  'thermal',
  'identity',
  'cpuinfo',
  'uname-s',
  'uname-n',
  'uname-r',
  'uname-v',
  'uname-m',
  'hostname',
  'domainname',
  'os-release',
  'dt-model',
  'dmi',
  'cpu-max-freq',
  'nvidia-gpu',
  'drm',
  'power-supply',
  'df',
  'end',
] as const;

const RANK = new Map<string, number>(SECTION_ORDER.map((name, i) => [name, i]));

/** Sections printed only by PROBE_SCRIPT_WITH_IDENTITY: from `identity` to `power-supply`. */
const IDENTITY_SECTIONS = new Set<string>(
  SECTION_ORDER.slice(SECTION_ORDER.indexOf('identity'), SECTION_ORDER.indexOf('power-supply') + 1),
);

/** A marker line; the newline before it is the script's own. */
const MARKER = /\n@@tierwise:([^\n]*)@@\n/g;

const topLevel = (key: string): string => key.split('/', 1)[0] ?? key;

/**
 * Cuts the output of PROBE_SCRIPT (or PROBE_SCRIPT_WITH_IDENTITY) into its sections. Text before the
 * `begin` marker (a login banner a shell profile printed) is ignored. Throws ProbeOutputError when the
 * text has no markers, lacks the end marker, or has markers that the script cannot have printed.
 */
export function parseProbeOutput(text: string): Map<string, string> {
  const markers = [...text.matchAll(MARKER)];
  const first = markers[0];
  if (first === undefined) {
    throw new ProbeOutputError('garbage', `no tierwise markers in the output: ${preview(text)}`);
  }
  if (first[1] !== 'begin') {
    throw new ProbeOutputError('malformed', `the output starts with section "${first[1]}", not "begin"`);
  }
  const sections = new Map<string, string>();
  let lastRank = -1;
  for (const [i, marker] of markers.entries()) {
    const key = marker[1] ?? '';
    const rank = RANK.get(topLevel(key));
    if (rank === undefined) throw new ProbeOutputError('malformed', `unknown section "${key}"`);
    if (rank < lastRank || sections.has(key)) {
      throw new ProbeOutputError('malformed', `section "${key}" out of order or repeated`);
    }
    lastRank = rank;
    const start = marker.index + marker[0].length;
    const next = markers[i + 1];
    sections.set(key, text.slice(start, next === undefined ? text.length : next.index));
  }
  const lastKey = markers[markers.length - 1]?.[1];
  if (lastKey !== 'end') {
    throw new ProbeOutputError(
      'truncated',
      `the output ends in section "${lastKey}" without the end marker: it was cut off`,
    );
  }
  if (sections.get('end') !== '') {
    throw new ProbeOutputError(
      'malformed',
      `text after the end marker: ${preview(sections.get('end') ?? '')}`,
    );
  }
  const format = sections.get('begin')?.trim();
  if (format !== PROBE_FORMAT) {
    throw new ProbeOutputError('malformed', `output format "${format}", expected "${PROBE_FORMAT}"`);
  }
  return sections;
}

/** Whether the output came from PROBE_SCRIPT_WITH_IDENTITY. */
export function hasIdentity(sections: ProbeSections): boolean {
  return sections.has('identity');
}

/**
 * The identity sections of an output of PROBE_SCRIPT_WITH_IDENTITY, to keep for a connection's later
 * probes (probeFamilies' `identity` option); undefined when the output has none.
 */
export function identitySections(sections: ProbeSections): ProbeSections | undefined {
  if (!hasIdentity(sections)) return undefined;
  return new Map([...sections].filter(([key]) => IDENTITY_SECTIONS.has(topLevel(key))));
}

/** The start of some text for an error message, printable characters only. */
function preview(text: string): string {
  const shown = text.slice(0, 60).replace(/[^\x20-\x7e]/g, '.');
  return text.length > 60 ? `"${shown}…" (${text.length} characters)` : `"${shown}"`;
}
