import { z } from 'zod';
import { KASA_PORT } from './kasa.ts';

export const PLUG_KINDS = ['shelly-gen1', 'shelly-rpc', 'tasmota', 'kasa'] as const;
export type PlugKind = (typeof PLUG_KINDS)[number];

const seconds = z.number().positive();

const machineEntry = z.union(
  [z.string().min(1), z.strictObject({ name: z.string().min(1), share: z.number().gt(0).max(1) })],
  { error: 'expected a machine name, or { name, share } with a share above 0 and at most 1' },
);

/** A machine a plug feeds, with the fraction of the plug's power and energy counted as that machine's. */
export interface PlugMachine {
  name: string;
  share: number;
}

const plugSchema = z
  .strictObject({
    /** The `plug` label; unique among the plugs. */
    name: z.string().min(1),
    kind: z.enum(PLUG_KINDS),
    /** host, host:port, or for the HTTP kinds a URL (http://host:port/prefix). Kasa: host[:port], port 9999. */
    address: z.string().min(1),
    /** The channel to read: Shelly's id (0, 1…) or phase (a, b, c), Tasmota's relay (1, 2…). Default: the whole device. */
    channel: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
    /** Shelly Gen1 and Tasmota: the web user (default admin). Shelly Gen2+'s user is always admin. */
    username: z.string().min(1).optional(),
    /** A file holding the device's web password (trailing whitespace ignored); it is never logged. */
    password_file: z.string().min(1).optional(),
    /**
     * The machines this plug feeds: names (each gets an equal part of what the explicit shares leave) or
     * { name, share }. Empty: the plug is only reported as itself (tierwise_plug_*).
     */
    machines: z.array(machineEntry).default([]),
    poll_seconds: seconds.default(10),
    timeout_seconds: seconds.default(2),
  })
  .superRefine((plug, ctx) => {
    const address = plugAddressProblem(plug.kind, plug.address);
    if (address) ctx.addIssue({ code: 'custom', path: ['address'], message: address });
    if (plug.kind === 'kasa' && plug.channel !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['channel'],
        message: 'Kasa plugs have one channel: leave channel out',
      });
    }
    if (plug.kind === 'kasa' && (plug.username !== undefined || plug.password_file !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [plug.username !== undefined ? 'username' : 'password_file'],
        message: "Kasa's local protocol has no credentials: leave username and password_file out",
      });
    }
    if (plug.kind === 'shelly-rpc' && plug.username !== undefined && plug.username !== 'admin') {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: "Shelly Gen2+ devices have one user, 'admin': leave username out",
      });
    }
    if (plug.username !== undefined && plug.password_file === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['password_file'],
        message: 'username given without password_file',
      });
    }
    const names = plug.machines.map((m) => (typeof m === 'string' ? m : m.name));
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['machines'], message: `machine '${twice}' is listed twice` });
    }
    const explicit = plug.machines.reduce((sum, m) => sum + (typeof m === 'string' ? 0 : m.share), 0);
    const bare = plug.machines.filter((m) => typeof m === 'string').length;
    if (explicit > 1 + 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['machines'],
        message: `the shares add up to ${Number(explicit.toFixed(6))}, above 1`,
      });
    } else if (bare > 0 && explicit >= 1 - 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['machines'],
        message: 'the explicit shares add up to 1, leaving nothing for the machines listed without one',
      });
    }
  })
  .transform(({ machines, channel, ...plug }) => ({
    ...plug,
    ...(channel !== undefined ? { channel: String(channel) } : {}),
    machines: resolveShares(machines),
  }));

/**
 * tierwise.yml's `agent.power.plugs`: the smart plugs this agent polls. Unknown keys are errors, names
 * are unique.
 */
export const plugsConfigSchema = z
  .array(plugSchema)
  .default([])
  .superRefine((plugs, ctx) => {
    const seen = new Set<string>();
    plugs.forEach((plug, i) => {
      if (seen.has(plug.name)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `plug name '${plug.name}' is used twice`,
        });
      }
      seen.add(plug.name);
    });
  });

export type PlugConfig = z.output<typeof plugSchema>;
export type PlugsConfig = z.output<typeof plugsConfigSchema>;

/** Names without a share split what the explicit shares leave, equally. */
function resolveShares(entries: Array<string | PlugMachine>): PlugMachine[] {
  const explicit = entries.reduce((sum, m) => sum + (typeof m === 'string' ? 0 : m.share), 0);
  const bare = entries.filter((m) => typeof m === 'string').length;
  const each = bare > 0 ? (1 - explicit) / bare : 0;
  return entries.map((m) => (typeof m === 'string' ? { name: m, share: each } : m));
}

/** Where an HTTP plug answers: scheme, host, port and a path prefix (usually empty). */
export interface HttpTarget {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Without a trailing slash; "" for a device at the root. */
  prefix: string;
}

/** Parses an HTTP plug's address: "host", "host:port", "[v6]:port" or "http(s)://host[:port][/prefix]". */
export function httpTarget(address: string): HttpTarget {
  const url = new URL(address.includes('://') ? address : `http://${address}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`expected http:// or https://, got ${url.protocol}//`);
  }
  if (url.username || url.password)
    throw new Error('put credentials in username and password_file, not the address');
  if (url.search || url.hash) throw new Error('expected no query or fragment in the address');
  return {
    protocol: url.protocol,
    hostname: unbracket(url.hostname),
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    prefix: url.pathname.replace(/\/+$/, ''),
  };
}

/** Parses a Kasa plug's address: "host", "host:port" or "[v6]:port"; the port defaults to 9999. */
export function tcpTarget(address: string): { host: string; port: number } {
  if (address.includes('://') || address.includes('/')) throw new Error('expected host or host:port');
  const url = new URL(`tcp://${address}`);
  if (!url.hostname) throw new Error('expected host or host:port');
  return { host: unbracket(url.hostname), port: url.port ? Number(url.port) : KASA_PORT };
}

function plugAddressProblem(kind: PlugKind, address: string): string | undefined {
  try {
    if (kind === 'kasa') tcpTarget(address);
    else httpTarget(address);
    return undefined;
  } catch (err) {
    const why = err instanceof TypeError ? 'not a valid host[:port] or URL' : (err as Error).message;
    // An address with credentials in it is not repeated.
    return address.includes('@') ? why : `'${address}': ${why}`;
  }
}

function unbracket(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1');
}
