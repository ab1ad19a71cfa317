import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type Started, startProcess, waitFor } from './processes.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bundle = path.join(repoRoot, 'dist/tierwise.mjs');

export interface RunningAgent extends Started {
  port: number;
  address: string;
}

/**
 * Starts the bundled agent (the same single file users copy to a Pi) on a free loopback port and
 * waits until it answers.
 */
export async function startAgentProcess(
  args: string[] = [],
  ready: (port: number) => Promise<boolean> = async (port) =>
    (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
  nodeFlags: string[] = [],
): Promise<RunningAgent> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [
    ...nodeFlags,
    bundle,
    'agent',
    `--web.listen-address=127.0.0.1:${port}`,
    ...args,
  ]);
  try {
    await waitFor('agent to answer', async () => ((await ready(port)) ? true : undefined), 30_000, 100);
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}\n${proc.output()}`);
  }
  return { ...proc, port, address: `127.0.0.1:${port}` };
}

export interface RunningCollector extends Started {
  port: number;
  /** http://127.0.0.1:<port> */
  base: string;
}

/** The bundled `tierwise collector` on loopback (on `port`, or a free one), reading `prometheus`. */
export async function startCollectorProcess(
  config: string,
  prometheus: string,
  port?: number,
): Promise<RunningCollector> {
  const listen = port ?? (await freePort());
  const proc = startProcess(process.execPath, [
    bundle,
    'collector',
    `--config=${config}`,
    `--prometheus=${prometheus}`,
    `--web.listen-address=127.0.0.1:${listen}`,
    '--log.level=warn',
  ]);
  return { ...proc, port: listen, base: `http://127.0.0.1:${listen}` };
}
