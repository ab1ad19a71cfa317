import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/processes.ts';
import { checkPortsFree, PortsUnavailableError } from './ports.ts';

let held: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (held ? held.close(() => resolve()) : resolve())));

function hold(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('ports the stack listens on', () => {
  it('passes free ports, and leaves them free', async () => {
    const port = await freePort();
    const listeners = [{ key: 'stack.listen.agent', address: `127.0.0.1:${port}` }];
    await checkPortsFree(listeners);
    await checkPortsFree(listeners);
  });

  it('names every taken port with its key, and how to free Debian’s', async () => {
    const taken = await freePort();
    held = await hold(taken);
    const free = await freePort();
    const err = await checkPortsFree([
      { key: 'stack.listen.prometheus', address: `127.0.0.1:${taken}` },
      { key: 'stack.listen.agent', address: `127.0.0.1:${free}` },
      { key: 'stack.listen.probe', address: `192.0.2.1:${free}` },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortsUnavailableError);
    const message = (err as Error).message;
    expect(message).toContain(`127.0.0.1:${taken} (stack.listen.prometheus): already in use`);
    expect(message).toContain(`192.0.2.1:${free} (stack.listen.probe): not an address of this machine`);
    expect(message).not.toContain('stack.listen.agent');
    expect(message).toContain('sudo systemctl disable --now prometheus prometheus-alertmanager');
  });
});
