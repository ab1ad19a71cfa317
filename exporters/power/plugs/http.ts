import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { excerpt, getText } from '../../workloads/docker.ts';
import type { HttpTarget } from './config.ts';
import { PlugError } from './reading.ts';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * How a device wants its credentials: Shelly Gen1 in HTTP Basic; Shelly Gen2+ in HTTP Digest with
 * SHA-256 (RFC 7616), asked for by a 401 challenge; Tasmota in the query (`user=…&password=…`).
 */
export type AuthScheme = 'basic' | 'digest';

/**
 * One GET of `pathAndQuery` from a plug, connect to last byte of every round trip under one deadline
 * of `timeoutMs`; resolves the body of a 200. Failures are PlugErrors: "timeout", "unreachable (CODE)",
 * "http <status>". `what` names the request in messages: it must not contain credentials (pass them
 * in `auth`, or keep them out of `what` when they are in the query).
 */
export async function plugGet(opts: {
  target: HttpTarget;
  pathAndQuery: string;
  timeoutMs: number;
  what: string;
  auth?: { scheme: AuthScheme; credentials: Credentials };
}): Promise<string> {
  const { target, what, auth } = opts;
  const send = target.protocol === 'https:' ? https.request : http.request;
  const path = `${target.prefix}${opts.pathAndQuery}`;
  const deadline = Date.now() + opts.timeoutMs;
  // agent: false, a connection per request: a plug's small TCP stack drops idle connections at will, and
  // a kept-alive socket it has dropped fails the next poll with ECONNRESET.
  const request = (headers: Record<string, string>, basic?: string) =>
    getText(
      send,
      {
        hostname: target.hostname,
        port: target.port,
        path,
        headers,
        agent: false,
        ...(basic ? { auth: basic } : {}),
      },
      Math.max(1, deadline - Date.now()),
      what,
    ).catch((err: unknown) => {
      throw transportError(err, what, opts.timeoutMs);
    });

  const basic =
    auth?.scheme === 'basic' ? `${auth.credentials.username}:${auth.credentials.password}` : undefined;
  let reply = await request({}, basic);
  if (auth?.scheme === 'digest' && reply.status === 401) {
    const challenge = parseDigestChallenge(headerText(reply.headers['www-authenticate']));
    if (challenge) {
      const authorization = digestAuthorization({
        challenge,
        ...auth.credentials,
        method: 'GET',
        uri: path,
        cnonce: randomBytes(12).toString('hex'),
        nc: 1,
      });
      reply = await request({ Authorization: authorization });
    }
  }
  if (reply.status !== 200) {
    const hint = reply.status === 401 ? ' (check username and password_file)' : '';
    throw new PlugError(
      `http ${reply.status}`,
      `${what}: HTTP ${reply.status}${hint}: ${excerpt(reply.body)}`,
    );
  }
  return reply.body;
}

/** getText's rejections as PlugErrors with a bounded reason. */
function transportError(err: unknown, what: string, timeoutMs: number): PlugError {
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes('timed out after')) {
    return new PlugError('timeout', `${what}: timed out after ${timeoutMs} ms without a complete answer`);
  }
  const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
  return new PlugError(code ? `unreachable (${code})` : 'unreachable', message);
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value.find((v) => /^\s*digest\s/i.test(v)) ?? '') : (value ?? '');
}

export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** "SHA-256" or "MD5" (RFC 7616's default when the server names none). */
  algorithm: string;
  /** Whether the server offers qop=auth. */
  qopAuth: boolean;
  opaque?: string;
}

/** A `WWW-Authenticate: Digest realm="…", nonce="…", qop="auth", algorithm=SHA-256` header; undefined for anything else. */
export function parseDigestChallenge(header: string): DigestChallenge | undefined {
  const match = /^\s*digest\s+(.*)$/is.exec(header);
  if (!match?.[1]) return undefined;
  const params = new Map<string, string>();
  for (const m of match[1].matchAll(/([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi)) {
    params.set((m[1] as string).toLowerCase(), m[2]?.replace(/\\(.)/g, '$1') ?? m[3] ?? '');
  }
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) return undefined;
  const opaque = params.get('opaque');
  return {
    realm,
    nonce,
    algorithm: params.get('algorithm') ?? 'MD5',
    qopAuth: (params.get('qop') ?? '').split(',').some((q) => q.trim().toLowerCase() === 'auth'),
    ...(opaque !== undefined ? { opaque } : {}),
  };
}

/** The Authorization header answering a digest challenge (RFC 7616; SHA-256 or MD5, qop=auth or none). */
export function digestAuthorization(opts: {
  challenge: DigestChallenge;
  username: string;
  password: string;
  method: string;
  uri: string;
  cnonce: string;
  nc: number;
}): string {
  const { challenge: c, username, uri } = opts;
  const algorithm = c.algorithm.toUpperCase() === 'SHA-256' ? 'sha256' : 'md5';
  const hash = (s: string) => createHash(algorithm).update(s, 'utf8').digest('hex');
  const ha1 = hash(`${username}:${c.realm}:${opts.password}`);
  const ha2 = hash(`${opts.method}:${uri}`);
  const nc = opts.nc.toString(16).padStart(8, '0');
  const response = c.qopAuth
    ? hash(`${ha1}:${c.nonce}:${nc}:${opts.cnonce}:auth:${ha2}`)
    : hash(`${ha1}:${c.nonce}:${ha2}`);
  const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(c.realm)}`,
    `nonce=${quote(c.nonce)}`,
    `uri=${quote(uri)}`,
    `algorithm=${c.algorithm}`,
    `response=${quote(response)}`,
    ...(c.qopAuth ? ['qop=auth', `nc=${nc}`, `cnonce=${quote(opts.cnonce)}`] : []),
    ...(c.opaque !== undefined ? [`opaque=${quote(c.opaque)}`] : []),
  ];
  return `Digest ${parts.join(', ')}`;
}
