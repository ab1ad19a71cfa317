import net, { type Socket } from 'node:net';
import ssh2 from 'ssh2';

/**
 * A misbehaving SSH server (ssh2's Server) on 127.0.0.1, for the faults a real sshd will not produce on
 * demand: a banner that never comes in time, a command that never answers, a connection dropped
 * mid-command, junk output. It authenticates like a real one (public key signatures verified, or a
 * password), and counts what it sees so tests can check what reached it.
 */

export type FaultBehaviour =
  /** Answer `stdout` with exit status `code` (default 0), `delayMs` after the script has arrived. */
  | { kind: 'answer'; stdout?: string; code?: number; delayMs?: number }
  /** Accept TCP but say nothing (no SSH banner) for `delayMs`, then carry on as `then`. */
  | { kind: 'slow-banner'; delayMs: number }
  /** Accept the command and never answer: no output, no exit. */
  | { kind: 'hang' }
  /** Write `stdout` (the first half of an answer), then destroy the TCP connection. */
  | { kind: 'drop'; stdout: string }
  /** Write these chunks as they are, then exit 0. */
  | { kind: 'garbage'; chunks: Buffer[] }
  /**
   * Answer the first `afterSessions` commands (default 0) with "ok", then destroy the TCP connection
   * as soon as the next session channel is requested: a pooled connection found dead at exec time.
   */
  | { kind: 'close-on-session'; afterSessions?: number };

export interface FaultServerOptions {
  /** What to do, for every connection or per connection (0 for the first). */
  behaviour: FaultBehaviour | ((connection: number) => FaultBehaviour);
  /** The public key line the client may log in with. */
  authorizedKey?: string;
  /** A password the client may log in with. */
  password?: string;
}

export interface FaultServer {
  host: '127.0.0.1';
  port: number;
  /** Public host key line, and its known_hosts line. */
  hostKey: string;
  knownHostsLine: string;
  /** TCP connections accepted, and those still open. */
  connections: () => number;
  openSockets: () => number;
  /** Logins that succeeded. */
  logins: () => number;
  /** Exec channels open now, and the most open at once. */
  channelsOpen: () => number;
  maxChannelsOpen: () => number;
  /** Every exec request: its command line and what arrived on stdin (so far). */
  execs: Array<{ command: string; stdin: string }>;
  /** Passwords offered, for the test that they reach the server (and nothing else). */
  passwordsOffered: string[];
  close: () => Promise<void>;
}

export async function startFaultServer(options: FaultServerOptions): Promise<FaultServer> {
  const hostKeys = generateHostKey();
  const allowed = options.authorizedKey ? ssh2.utils.parseKey(options.authorizedKey) : undefined;
  if (allowed instanceof Error) throw allowed;
  const behaviourFor = (n: number): FaultBehaviour =>
    typeof options.behaviour === 'function' ? options.behaviour(n) : options.behaviour;

  const sockets = new Set<Socket>();
  // Which TCP socket (and behaviour) an SSH connection is on, by the client's port.
  const byRemotePort = new Map<number, { sock: Socket; behaviour: FaultBehaviour }>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  let connections = 0;
  let logins = 0;
  let open = 0;
  let maxOpen = 0;
  const execs: FaultServer['execs'] = [];
  const passwordsOffered: string[] = [];

  const server = new ssh2.Server({ hostKeys: [hostKeys.private] }, (client, info) => {
    const conn = byRemotePort.get(info.port);
    if (conn === undefined) return client.end();
    const { sock, behaviour } = conn;
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'publickey' && allowed) {
        const same = ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH());
        if (same && !ctx.signature) return ctx.accept();
        if (
          same &&
          ctx.signature &&
          ctx.blob &&
          allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true
        )
          return ctx.accept();
      }
      if (ctx.method === 'password') {
        passwordsOffered.push(ctx.password);
        if (options.password !== undefined && ctx.password === options.password) return ctx.accept();
      }
      ctx.reject(['publickey', 'password']);
    });
    let sessions = 0;
    client.on('ready', () => {
      logins++;
      client.on('session', (acceptSession) => {
        sessions++;
        if (behaviour.kind === 'close-on-session' && sessions > (behaviour.afterSessions ?? 0)) {
          sock.destroy();
          return;
        }
        const session = acceptSession();
        session.on('exec', (acceptExec, _reject, exec) => {
          const stream = acceptExec();
          const record = { command: exec.command, stdin: '' };
          execs.push(record);
          open++;
          maxOpen = Math.max(maxOpen, open);
          stream.on('data', (chunk: Buffer) => {
            record.stdin += chunk.toString();
          });
          stream.on('close', () => {
            open--;
          });
          stream.on('error', () => {});
          switch (behaviour.kind) {
            case 'answer':
              // As `sh -s` does: read the whole script (up to the client's EOF), then answer.
              stream.once('end', () =>
                later(behaviour.delayMs ?? 0, () => {
                  stream.write(behaviour.stdout ?? 'ok\n');
                  stream.exit(behaviour.code ?? 0);
                  stream.end();
                }),
              );
              break;
            case 'hang':
              break;
            case 'drop':
              stream.write(behaviour.stdout);
              later(50, () => sock.destroy());
              break;
            case 'garbage':
              behaviour.chunks.forEach((chunk, i) => {
                later(10 * i, () => stream.write(chunk));
              });
              later(10 * behaviour.chunks.length + 10, () => {
                stream.exit(0);
                stream.end();
              });
              break;
            default:
              stream.write('ok\n');
              stream.exit(0);
              stream.end();
          }
        });
      });
    });
  });

  const tcp = net.createServer((sock) => {
    connections++;
    sockets.add(sock);
    const behaviour = behaviourFor(connections - 1);
    if (sock.remotePort !== undefined) byRemotePort.set(sock.remotePort, { sock, behaviour });
    sock.on('error', () => {});
    sock.on('close', () => {
      sockets.delete(sock);
      if (sock.remotePort !== undefined) byRemotePort.delete(sock.remotePort);
    });
    if (behaviour.kind !== 'slow-banner') return server.injectSocket(sock);
    // The banner is ssh2's first write, so holding the socket back holds the banner back. What the
    // client sends meanwhile is kept for ssh2, and reading it lets us see the client hang up.
    const held: Buffer[] = [];
    const hold = (chunk: Buffer) => held.push(chunk);
    sock.on('data', hold);
    later(behaviour.delayMs, () => {
      if (sock.destroyed) return;
      sock.off('data', hold);
      sock.pause();
      if (held.length > 0) sock.unshift(Buffer.concat(held));
      server.injectSocket(sock);
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const address = tcp.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const publicLine = hostKeys.public.trim().split(' ').slice(0, 2).join(' ');

  return {
    host: '127.0.0.1',
    port: address.port,
    hostKey: publicLine,
    knownHostsLine: `[127.0.0.1]:${address.port} ${publicLine}`,
    connections: () => connections,
    openSockets: () => sockets.size,
    logins: () => logins,
    channelsOpen: () => open,
    maxChannelsOpen: () => maxOpen,
    execs,
    passwordsOffered,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/**
 * A throwaway ed25519 host key. ssh2 1.17's generator drops a leading zero byte of the public key, so
 * about 1 key in 256 cannot be parsed back (mscdex/ssh2#1390, #1513): draw again until it can.
 */
function generateHostKey(): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (
      !(ssh2.utils.parseKey(pair.private) instanceof Error) &&
      !(ssh2.utils.parseKey(pair.public) instanceof Error)
    )
      return pair;
  }
}
