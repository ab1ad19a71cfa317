import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, type Started, startProcess, waitFor } from './processes.ts';

const run = promisify(execFile);

/** Debian names the binary prometheus-alertmanager; upstream's tarball and images call it alertmanager. */
export function alertmanagerBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean))
    for (const name of ['alertmanager', 'prometheus-alertmanager']) {
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {}
    }
  throw new Error(
    'neither alertmanager nor prometheus-alertmanager is in PATH (apt-get install prometheus-alertmanager)',
  );
}

export interface AmtoolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs amtool; a non-zero exit is a result to look at, not an exception. */
export async function amtool(args: string[]): Promise<AmtoolResult> {
  try {
    const { stdout, stderr } = await run('amtool', args, { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The receivers `amtool config routes test` resolves a label set to, in routing-tree order. */
export async function routeReceivers(configFile: string, labels: Record<string, string>): Promise<string[]> {
  const r = await amtool([
    'config',
    'routes',
    'test',
    `--config.file=${configFile}`,
    ...Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`),
  ]);
  if (r.code !== 0) throw new Error(`amtool config routes test failed: ${r.stderr}${r.stdout}`);
  return r.stdout.trim().split(',');
}

/** An alert as Alertmanager's v2 API lists it. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

export interface TestAlertmanager {
  url: string;
  /** host:port, for Prometheus' alerting.alertmanagers. */
  address: string;
  alerts(): Promise<AmAlert[]>;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the real Alertmanager on a free loopback port, clustering off, state in a temporary directory. */
export async function startAlertmanager(configFile: string): Promise<TestAlertmanager> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-am-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const proc: Started = startProcess(alertmanagerBinary(), [
    `--config.file=${configFile}`,
    `--storage.path=${dir}`,
    `--web.listen-address=${address}`,
    `--web.external-url=${url}`,
    // An empty address turns gossip off; otherwise every test instance would claim :9094.
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  try {
    await waitFor('alertmanager ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined));
  } catch (err) {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${proc.output()}`);
  }
  return {
    url,
    address,
    alerts: async () => (await (await fetch(`${url}/api/v2/alerts`)).json()) as AmAlert[],
    output: proc.output,
    stop: async () => {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
