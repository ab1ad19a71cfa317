import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { shellWord } from './errors.ts';
import { blobType, fingerprint, type HostKey } from './host-key.ts';

/**
 * OpenSSH's known_hosts format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), as far as a probe needs it:
 *
 *   [@marker] hostnames keytype base64-key [comment]
 *
 * hostnames is a comma-separated list of patterns (`*`, `?`, `!negation`; `[host]:port` for a port other
 * than 22) or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` (HashKnownHosts).
 * Markers: `@revoked` (the key is refused for every host) and `@cert-authority` (host certificates,
 * which the probe does not use: such lines are skipped).
 */

export type KnownHostsHosts =
  | { kind: 'patterns'; patterns: string[] }
  | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostsEntry {
  /** 1-based line number, for messages. */
  line: number;
  marker: 'revoked' | 'cert-authority' | undefined;
  hosts: KnownHostsHosts;
  key: HostKey;
}

export interface KnownHosts {
  entries: KnownHostsEntry[];
  /** Lines that could not be read ("line 7: …"); they match nothing, and never make a key trusted. */
  problems: string[];
}

/** Parses a known_hosts file's text; malformed lines are listed in `problems` and otherwise ignored. */
export function parseKnownHosts(text: string): KnownHosts {
  const entries: KnownHostsEntry[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/[ \t]+/);
    let marker: KnownHostsEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else {
        problems.push(`line ${lineNo}: unknown marker ${JSON.stringify(m)}`);
        return;
      }
    }
    const [hostField, type, base64] = fields;
    if (hostField === undefined || type === undefined || base64 === undefined) {
      problems.push(`line ${lineNo}: expected "hosts keytype key"`);
      return;
    }
    const blob = Buffer.from(base64, 'base64');
    if (blobType(blob) !== type) {
      problems.push(`line ${lineNo}: key data does not match its type ${JSON.stringify(type)}`);
      return;
    }
    const hosts = parseHosts(hostField);
    if (hosts === undefined) {
      problems.push(`line ${lineNo}: malformed hashed host name`);
      return;
    }
    entries.push({ line: lineNo, marker, hosts, key: { type, blob } });
  });
  return { entries, problems };
}

function parseHosts(field: string): KnownHostsHosts | undefined {
  if (!field.startsWith('|')) return { kind: 'patterns', patterns: field.split(',').filter((p) => p !== '') };
  // Only HMAC-SHA1 ("|1|") exists; anything else is malformed.
  const m = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(field);
  if (!m?.[1] || !m[2]) return undefined;
  const salt = Buffer.from(m[1], 'base64');
  const hash = Buffer.from(m[2], 'base64');
  return salt.length === 20 && hash.length === 20 ? { kind: 'hashed', salt, hash } : undefined;
}

/**
 * The name a host is looked up (and recorded) under: the host for port 22, else "[host]:port", in lower
 * case, as OpenSSH does.
 */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` one character, case-insensitive. */
export function matchPattern(name: string, pattern: string): boolean {
  const s = name.toLowerCase();
  const p = pattern.toLowerCase();
  // Iterative glob matching with one backtrack point (linear enough for host names).
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) {
      si++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star !== -1) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Whether an entry's host field names `name` (a knownHostsName). A matching `!pattern` excludes it. */
export function hostsMatch(hosts: KnownHostsHosts, name: string): boolean {
  if (hosts.kind === 'hashed') {
    const mac = createHmac('sha1', hosts.salt).update(name).digest();
    return timingSafeEqual(mac, hosts.hash);
  }
  let positive = false;
  for (const pattern of hosts.patterns) {
    if (pattern.startsWith('!')) {
      if (matchPattern(name, pattern.slice(1))) return false;
    } else if (matchPattern(name, pattern)) positive = true;
  }
  return positive;
}

export type HostKeyVerdict =
  | { ok: true; line: number }
  | { ok: false; status: 'unknown' | 'changed' | 'revoked'; known: HostKey[] };

/**
 * Checks a presented host key strictly: accepted only when a (non-marker) line for this host holds this
 * very key. A key listed as @revoked is refused whatever host its line names; a host with lines but
 * none holding this key has CHANGED its key; a host with no line is unknown.
 */
export function checkHostKey(known: KnownHosts, host: string, port: number, key: HostKey): HostKeyVerdict {
  if (known.entries.some((e) => e.marker === 'revoked' && e.key.blob.equals(key.blob)))
    return { ok: false, status: 'revoked', known: [] };
  const name = knownHostsName(host, port);
  const forHost = known.entries.filter((e) => e.marker === undefined && hostsMatch(e.hosts, name));
  const match = forHost.find((e) => e.key.blob.equals(key.blob));
  if (match) return { ok: true, line: match.line };
  return { ok: false, status: forHost.length > 0 ? 'changed' : 'unknown', known: forHost.map((e) => e.key) };
}

/** The key types known_hosts holds for a host, in file order, to ask the server for those first. */
export function knownKeyTypes(known: KnownHosts, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = known.entries
    .filter((e) => e.marker === undefined && hostsMatch(e.hosts, name))
    .map((e) => e.key.type);
  return [...new Set(types)];
}

/**
 * The command that removes a name's keys from a known_hosts file: OpenSSH's own ssh-keygen -R reads
 * and rewrites the same format (hashed lines included).
 */
export function forgetHint(name: string, knownHostsFile: string): string {
  return `ssh-keygen -R ${shellWord(name)} -f ${shellWord(knownHostsFile)}`;
}

/**
 * A human explanation of a refused host key. `trustHint` is the command to run, e.g.
 * "tierwise probe trust web-1".
 */
export function describeRefusal(
  verdict: Exclude<HostKeyVerdict, { ok: true }>,
  where: string,
  key: HostKey,
  trustHint: string,
  knownHostsFile: string,
): string {
  const presented = `${key.type} ${fingerprint(key.blob)}`;
  switch (verdict.status) {
    case 'unknown':
      return `unknown host key for ${where} (${presented}); check it and run \`${trustHint}\``;
    case 'revoked':
      return `host key of ${where} is REVOKED in known_hosts (${presented}); refusing to connect`;
    case 'changed': {
      const was = verdict.known.map((k) => `${k.type} ${fingerprint(k.blob)}`).join(', ');
      return (
        `host key CHANGED for ${where}: known ${was}, presented ${presented}; someone may be ` +
        `intercepting the connection. If the machine was reinstalled, remove the old key ` +
        `(\`${forgetHint(where, knownHostsFile)}\`) and run \`${trustHint}\``
      );
    }
  }
}

/**
 * Whether a host can be written into a known_hosts line as one name: no whitespace, commas, control
 * characters or pattern/hash/marker characters, any of which would change what the line means (a
 * newline would even add a line of the writer's choice).
 */
export function recordableHost(host: string): boolean {
  return /^[A-Za-z0-9._:%-]+$/.test(host) && !host.startsWith('-');
}

/** A known_hosts line for a host and key; hashed (HashKnownHosts style) when `hash` is set. */
export function formatKnownHostsLine(host: string, port: number, key: HostKey, hash = false): string {
  if (!recordableHost(host)) throw new Error(`cannot record host ${JSON.stringify(host)} in known_hosts`);
  const name = knownHostsName(host, port);
  let hostField = name;
  if (hash) {
    const salt = randomBytes(20);
    const mac = createHmac('sha1', salt).update(name).digest();
    hostField = `|1|${salt.toString('base64')}|${mac.toString('base64')}`;
  }
  return `${hostField} ${key.type} ${key.blob.toString('base64')}`;
}
