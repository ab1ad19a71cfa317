import { createServer } from 'node:net';
import { parseListen } from './listen.ts';

export interface Listener {
  /** What listens there, for the message: "stack.listen.prometheus". */
  key: string;
  address: string;
}

/** Ports another program holds, or addresses this machine does not have; the message lists them all. */
export class PortsUnavailableError extends Error {
  override readonly name = 'PortsUnavailableError';
}

/**
 * Tries to listen on each address for a moment, so a busy port is one clear message before anything
 * starts, rather than a child that dies with its own wording.
 */
export async function checkPortsFree(listeners: Listener[]): Promise<void> {
  const problems: string[] = [];
  for (const l of listeners) {
    const problem = await tryListen(l.address);
    if (problem !== undefined) problems.push(`${l.address} (${l.key}): ${problem}`);
  }
  if (problems.length === 0) return;
  throw new PortsUnavailableError(
    [
      'cannot listen on',
      ...problems.map((p) => `  ${p}`),
      'Stop what listens there, or choose other ports under stack.listen in tierwise.yml. Debian starts',
      'its own Prometheus (9090) and Alertmanager (9093) services when it installs them; the stack runs',
      'its own, so those can go: sudo systemctl disable --now prometheus prometheus-alertmanager',
    ].join('\n'),
  );
}

function tryListen(address: string): Promise<string | undefined> {
  const { host, port } = parseListen(address);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'EADDRINUSE'
          ? 'already in use'
          : err.code === 'EADDRNOTAVAIL'
            ? 'not an address of this machine'
            : err.message,
      ),
    );
    server.listen({ host: host === '' ? undefined : host, port, exclusive: true }, () =>
      server.close(() => resolve(undefined)),
    );
  });
}
