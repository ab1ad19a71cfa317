import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, type Started, startProcess, waitFor } from './processes.ts';
import type { PromSample } from './prometheus.ts';

export interface TestVictoriaMetrics {
  url: string;
  /** Prometheus text exposition lines, timestamps in milliseconds. */
  importPrometheus(text: string): Promise<void>;
  query(expr: string): Promise<PromSample[]>;
  stop(): Promise<void>;
  output(): string;
}

/**
 * Starts Debian's real single-node VictoriaMetrics on a free loopback port, with its own data directory.
 * The retention is long so that backfilled history dated days ago is kept, not dropped on import.
 */
export async function startVictoriaMetrics(): Promise<TestVictoriaMetrics> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-vm-'));
  const port = await freePort();
  const proc: Started = startProcess('victoria-metrics', [
    `-storageDataPath=${path.join(dir, 'data')}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    '-retentionPeriod=100y',
    '-loggerLevel=WARN',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('victoria-metrics ready', async () =>
      (await fetch(`${url}/health`)).ok ? true : undefined,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${proc.output()}`);
  }
  const expectOk = async (res: Response, what: string) => {
    if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}\n${proc.output()}`);
  };
  return {
    url,
    importPrometheus: async (text) => {
      await expectOk(
        await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: text }),
        'import',
      );
      // Imported rows sit in an in-memory buffer for up to a second or so; make them searchable now.
      await expectOk(await fetch(`${url}/internal/force_flush`), 'force_flush');
    },
    query: async (expr) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: PromSample[] } };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
      return body.data.result;
    },
    output: proc.output,
    stop,
  };
}
