import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import { onTestFinished } from 'vitest';

/**
 * Stand-ins for smart plugs on 127.0.0.1 that replay recorded device answers (../shared/fixtures/smart-plugs).
 * They are written apart from the plug code they test, the Kasa cipher and the digest check included, so
 * a mistake in one is not mirrored in the other. Both close, hanging connections included, when the
 * calling test ends.
 */

/** A body served with 200; a status and body; or 'hang': accept the request and never answer. */
export type HttpAnswer = string | { status: number; body: string } | 'hang';

export interface PlugHttpServer {
  /** "127.0.0.1:<port>", as a plug's `address`. */
  address: string;
  /** Every request seen (path with query, and headers), answered or not. */
  requests: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
}

export interface PlugHttpOptions {
  /** Require HTTP Basic credentials, as a Shelly Gen1 with a password does (401 otherwise). */
  basic?: { username: string; password: string };
  /** Require HTTP Digest, SHA-256, qop=auth, as a Shelly Gen2+ with a password does (RFC 7616). */
  digest?: { username: string; password: string; realm: string };
}

/**
 * An HTTP plug serving `routes` (pathname → answer, or a list of answers served in turn, the last one
 * repeated); any other path is a 404, as on the devices.
 */
export async function startPlugHttpServer(
  routes: Record<string, HttpAnswer | HttpAnswer[]>,
  options: PlugHttpOptions = {},
): Promise<PlugHttpServer> {
  const requests: PlugHttpServer['requests'] = [];
  const served = new Map<string, number>();
  const nonces = new Set<string>();
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '/', headers: req.headers });
    if (options.basic && !basicOk(req, options.basic)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="shelly"' }).end('401 Unauthorized');
      return;
    }
    if (options.digest && !digestOk(req, options.digest, nonces)) {
      const nonce = randomBytes(8).toString('hex');
      nonces.add(nonce);
      res
        .writeHead(401, {
          'WWW-Authenticate': `Digest qop="auth", realm="${options.digest.realm}", nonce="${nonce}", algorithm=SHA-256`,
        })
        .end('401 Unauthorized');
      return;
    }
    const pathname = new URL(req.url ?? '/', 'http://plug').pathname;
    const route = routes[pathname];
    if (route === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      return;
    }
    const list = Array.isArray(route) ? route : [route];
    const turn = served.get(pathname) ?? 0;
    served.set(pathname, turn + 1);
    const answer = list[Math.min(turn, list.length - 1)] as HttpAnswer;
    if (answer === 'hang') return;
    const { status, body } = typeof answer === 'string' ? { status: 200, body: answer } : answer;
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
  });
  await listen(server);
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function basicOk(req: http.IncomingMessage, want: { username: string; password: string }): boolean {
  const expected = `Basic ${Buffer.from(`${want.username}:${want.password}`).toString('base64')}`;
  return req.headers.authorization === expected;
}

/** Checks an Authorization: Digest header the way the device does: response over HA1, nonce, nc, cnonce, HA2. */
function digestOk(
  req: http.IncomingMessage,
  want: { username: string; password: string; realm: string },
  nonces: Set<string>,
): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Digest ')) return false;
  const p = Object.fromEntries(
    [...header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]]),
  ) as Record<string, string | undefined>;
  if (p.username !== want.username || p.realm !== want.realm || !p.nonce || !nonces.has(p.nonce))
    return false;
  if (p.uri !== req.url || p.qop !== 'auth' || p.algorithm !== 'SHA-256') return false;
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const ha1 = sha(`${want.username}:${want.realm}:${want.password}`);
  const ha2 = sha(`${req.method}:${p.uri}`);
  return p.response === sha(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
}

/**
 * How a Kasa stand-in answers a request: a recorded device dump (module → method → result, as
 * python-kasa records them), from which it answers each method asked, as the device does, and a module
 * the dump lacks with {"err_code":-1,"err_msg":"module not support"}, as a plug without that module
 * does; 'hang' (accept, read, never answer); or 'garbage' (an HTTP error page, as a wrong service on the
 * port would answer).
 */
export type KasaAnswer = Record<string, unknown> | 'hang' | 'garbage';

export interface KasaServer {
  address: string;
  /** Each request, decrypted and parsed. */
  requests: unknown[];
}

/** A Kasa plug on TCP: length-prefixed, XOR-autokey (171) framing; `answers` in turn, the last repeated. */
export async function startKasaServer(answers: KasaAnswer | KasaAnswer[]): Promise<KasaServer> {
  const list = Array.isArray(answers) ? answers : [answers];
  const requests: unknown[] = [];
  const sockets = new Set<net.Socket>();
  let turn = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < 4 + buffered.readUInt32BE(0)) return;
      const request = JSON.parse(xorDecrypt(buffered.subarray(4, 4 + buffered.readUInt32BE(0))).toString());
      requests.push(request);
      const answer = list[Math.min(turn++, list.length - 1)] as KasaAnswer;
      if (answer === 'hang') return;
      if (answer === 'garbage') {
        socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const reply: Record<string, Record<string, unknown>> = {};
      for (const [module, methods] of Object.entries(request as Record<string, Record<string, unknown>>)) {
        const recorded = answer[module] as Record<string, unknown> | undefined;
        if (!recorded) {
          reply[module] = { err_code: -1, err_msg: 'module not support' };
          continue;
        }
        reply[module] = Object.fromEntries(Object.keys(methods).map((m) => [m, recorded[m]]));
      }
      const payload = xorEncrypt(Buffer.from(JSON.stringify(reply)));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(payload.length);
      socket.end(Buffer.concat([length, payload]));
    });
  });
  await listen(server);
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  );
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function xorEncrypt(plain: Buffer): Buffer {
  let key = 171;
  return Buffer.from(plain.map((b) => (key ^= b)));
}

function xorDecrypt(cipher: Buffer): Buffer {
  let key = 171;
  return Buffer.from(
    cipher.map((c) => {
      const p = key ^ c;
      key = c;
      return p;
    }),
  );
}

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

/** tierwise.yml's `agent.power.plugs` entry for a replayed Shelly that meters this machine. */
export function shellyOnThisMachine(address: string) {
  return {
    name: 'desk',
    kind: 'shelly-gen1',
    address,
    poll_seconds: 1,
    machines: [os.hostname()],
  };
}

/**
 * tierwise.yml's `agent:` for the GPU workstation the end-to-end tests run: its wall power from a
 * replayed Shelly, its GPU from a stand-in nvidia-smi (fake-nvidia-smi.ts).
 */
export function gpuWorkstationAgent(plugAddress: string, nvidiaSmi: string) {
  return {
    tier: 'workstation',
    power: { profile: 'desktop-gpu', plugs: [shellyOnThisMachine(plugAddress)] },
    gpu: { nvidia_smi: nvidiaSmi, interval_seconds: 0.5 },
  };
}
