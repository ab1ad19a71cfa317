import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort, type Started, startProcess, waitFor } from './processes.ts';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface TestPrometheus {
  url: string;
  query(expr: string): Promise<PromSample[]>;
  /** Waits until `expr` returns at least one sample and `accept` agrees. */
  waitForQuery(
    expr: string,
    accept?: (r: PromSample[]) => boolean,
    timeoutMs?: number,
  ): Promise<PromSample[]>;
  stop(): Promise<void>;
  output(): string;
}

export interface PrometheusOptions {
  scrapeConfigs: object[];
  /** Scrape and rule evaluation interval; default 1s. */
  scrapeInterval?: string;
  seed?: (dataDir: string) => Promise<void>;
  /** Rule files to load (absolute paths). */
  ruleFiles?: string[];
  /** host:port of Alertmanagers to send alerts to. */
  alertmanagers?: string[];
  /** Remote-write endpoints (URLs): samples appended after the start go there too, as in scale-out. */
  remoteWrite?: string[];
}

/**
 * Starts Debian's real Prometheus on a free loopback port with the given scrape configs. `seed` may put
 * TSDB blocks into the data directory first (history made with promtool tsdb create-blocks-from).
 * Called with an options object, it can also load rule files and send alerts to Alertmanager.
 */
export async function startPrometheus(
  scrapeConfigsOrOptions: object[] | PrometheusOptions,
  scrapeIntervalArg = '1s',
  seedArg?: (dataDir: string) => Promise<void>,
): Promise<TestPrometheus> {
  const options: PrometheusOptions = Array.isArray(scrapeConfigsOrOptions)
    ? { scrapeConfigs: scrapeConfigsOrOptions, scrapeInterval: scrapeIntervalArg, seed: seedArg }
    : scrapeConfigsOrOptions;
  const {
    scrapeConfigs,
    scrapeInterval = '1s',
    seed,
    ruleFiles = [],
    alertmanagers = [],
    remoteWrite = [],
  } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-prom-'));
  if (seed) await seed(path.join(dir, 'data'));
  const port = await freePort();
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(
    configFile,
    stringify({
      global: {
        scrape_interval: scrapeInterval,
        scrape_timeout: scrapeInterval,
        evaluation_interval: scrapeInterval,
      },
      scrape_configs: scrapeConfigs,
      ...(ruleFiles.length > 0 && { rule_files: ruleFiles }),
      ...(alertmanagers.length > 0 && {
        alerting: { alertmanagers: [{ static_configs: [{ targets: alertmanagers }] }] },
      }),
      ...(remoteWrite.length > 0 && { remote_write: remoteWrite.map((url) => ({ url })) }),
    }),
  );
  const proc: Started = startProcess('prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const query = async (expr: string): Promise<PromSample[]> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: PromSample[] } };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
    return body.data.result;
  };
  try {
    await waitFor('prometheus ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined));
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}\n${proc.output()}`);
  }
  return {
    url,
    query,
    waitForQuery: (expr, accept = () => true, timeoutMs = 30_000) =>
      waitFor(
        `${expr} in Prometheus`,
        async () => {
          const r = await query(expr);
          return r.length > 0 && accept(r) ? r : undefined;
        },
        timeoutMs,
      ),
    output: proc.output,
    stop: async () => {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
