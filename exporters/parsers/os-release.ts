/**
 * os-release(5): /etc/os-release, or /usr/lib/os-release where a distribution ships only that. Lines of
 * KEY=value in shell syntax, values optionally single- or double-quoted.
 */

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** Inside double quotes the shell drops a backslash only before these. */
const DOUBLE_QUOTE_ESCAPABLE = '$"`\\';
const WHITESPACE = /\s/;
const MAJOR_MINOR = /^[0-9]+\.?[0-9]*/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Every assignment in the file, keyed as written (NAME, VERSION_ID…); later ones win, as in the shell. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (match?.[1] !== undefined) fields[match[1]] = unquote(match[2] ?? '');
  }
  return fields;
}

/** A shell word: quoted and unquoted parts joined, up to the first unquoted blank. */
function unquote(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw.charAt(i);
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      const stop = end < 0 ? raw.length : end;
      out += raw.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      i++;
      while (i < raw.length && raw.charAt(i) !== '"') {
        if (raw.charAt(i) === '\\' && DOUBLE_QUOTE_ESCAPABLE.includes(raw.charAt(i + 1))) i++;
        out += raw.charAt(i);
        i++;
      }
      i++;
    } else if (WHITESPACE.test(c)) {
      break;
    } else {
      if (c === '\\' && i + 1 < raw.length) i++;
      out += raw.charAt(i);
      i++;
    }
  }
  return out;
}

/** node_os_info's labels, in node_exporter's set: every one present, empty where the file is silent. */
export const OS_INFO_LABELS = {
  build_id: 'BUILD_ID',
  id: 'ID',
  id_like: 'ID_LIKE',
  image_id: 'IMAGE_ID',
  image_version: 'IMAGE_VERSION',
  name: 'NAME',
  pretty_name: 'PRETTY_NAME',
  variant: 'VARIANT',
  variant_id: 'VARIANT_ID',
  version: 'VERSION',
  version_codename: 'VERSION_CODENAME',
  version_id: 'VERSION_ID',
} as const;

export type OsInfoLabel = keyof typeof OS_INFO_LABELS;

export interface OsFacts {
  info: Record<OsInfoLabel, string>;
  /** The major.minor part of VERSION_ID as a number (12, 20.04); undefined when it has none or it is 0. */
  version?: number;
  /** SUPPORT_END as Unix seconds (midnight UTC); undefined when absent or not a YYYY-MM-DD date. */
  supportEnd?: number;
}

export function osFacts(fields: Record<string, string>): OsFacts {
  const info = Object.fromEntries(
    Object.entries(OS_INFO_LABELS).map(([label, key]) => [label, fields[key] ?? '']),
  ) as Record<OsInfoLabel, string>;
  const facts: OsFacts = { info };
  const majorMinor = MAJOR_MINOR.exec(info.version_id)?.[0];
  const version = majorMinor === undefined ? 0 : Number.parseFloat(majorMinor);
  if (version > 0) facts.version = version;
  const end = fields.SUPPORT_END ?? '';
  const ms = DATE_ONLY.test(end) ? Date.parse(end) : Number.NaN;
  // Date.parse rolls 2025-02-30 over into March; a date that does not survive the round trip is no date.
  if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === end) facts.supportEnd = ms / 1000;
  return facts;
}
