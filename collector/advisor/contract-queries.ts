import { type PrometheusTarget, queryRange, type RangeSeries } from '../../common/prometheus-client.ts';
import { emptySeries, type Grid, type GridSeries, putOnGrid } from './grid.ts';

/**
 * The few domain queries the advisor asks (STYLE.md: no hundred-method data source): the `tierwise:*`
 * contract over the window, and the inventory the agent reports. Nothing else is read, so any exporter
 * the recording rules support works, and so does VictoriaMetrics' Prometheus API.
 */
const HISTORY = {
  /** {instance, source}: the machine's power from its best source. */
  power: 'tierwise:node_power_watts',
  /** {instance}: the quietest 5 % of each day. */
  idle: 'min by (instance) (tierwise:node_idle_watts)',
  /** {instance}: CPU busy 0–1, to fit watts per unit of work. */
  busy: 'max by (instance) (tierwise:node_cpu_busy:ratio5m)',
  /** {instance}: GPU board power, which does not follow the CPU. */
  gpuPower: 'sum by (instance) (tierwise:gpu_power_watts)',
  /** {instance, workload, kind, namespace}, cores of the machine it runs on. */
  workloadCpu: 'tierwise:workload_cpu_cores:rate5m',
  workloadMemory: 'tierwise:workload_memory_working_set_bytes',
  workloadGpuPower: 'tierwise:workload_gpu_power_watts',
  workloadGpuMemory: 'sum by (instance, workload, kind, namespace) (tierwise:workload_gpu_memory_bytes)',
} as const;

/** Inventory gauges change rarely: read hourly, the latest value wins; `r` is that step as a PromQL range. */
const INVENTORY = {
  nodeInfo: (r: string) => `max by (instance, tier, arch) (last_over_time(tierwise_node_info[${r}]))`,
  speedScore: (r: string) => `max by (instance) (last_over_time(tierwise_node_cpu_speed_score[${r}]))`,
  cpuCores: (r: string) => `max by (instance) (last_over_time(tierwise_node_cpu_cores[${r}]))`,
  memoryBytes: (r: string) => `max by (instance) (last_over_time(tierwise_node_memory_bytes[${r}]))`,
  gpuMemory: (r: string) =>
    `max by (instance, uuid, model) (last_over_time(tierwise_gpu_memory_total_bytes[${r}]))`,
  /** {instance, profile, source}: the power model's profile, and where its watts came from. */
  powerProfile: (r: string) =>
    `max by (instance, profile, source) (last_over_time(tierwise_node_power_profile_info[${r}]))`,
  workloadInfo: (r: string) =>
    `max by (instance, workload, kind, namespace, image_platforms, needs_gpu, pin, always_on, latency_sensitive) (last_over_time(tierwise_workload_info[${r}]))`,
} as const;

/** A history series already on the window's grid: null where there was no data. */
export interface GridRangeSeries {
  metric: Record<string, string>;
  values: GridSeries;
}

export type ContractData = Record<keyof typeof HISTORY, GridRangeSeries[]> &
  Record<keyof typeof INVENTORY, RangeSeries[]>;

export interface QueryProgress {
  /** 1-based. */
  index: number;
  of: number;
  /** The series asked for, as a person would recognise it. */
  name: string;
}

const INVENTORY_STEP_SECONDS = 3600;

/** Names the series a query reads, for progress lines: the first metric name in it. */
function seriesName(expr: string): string {
  return /(tierwise:?[a-z0-9_:]+)/.exec(expr)?.[1] ?? expr;
}

/**
 * Reads everything the scenario needs, one query at a time (gentle on a Prometheus running on a Pi),
 * telling `onQuery` before each. A failure names the server and the series.
 */
export async function fetchContract(
  target: PrometheusTarget,
  grid: Grid,
  onQuery: (p: QueryProgress) => void = () => {},
): Promise<ContractData> {
  const end = grid.start + (grid.points - 1) * grid.stepSeconds;
  const inventoryStep = Math.min(INVENTORY_STEP_SECONDS, Math.max(grid.stepSeconds, end - grid.start));
  const history = Object.entries(HISTORY) as [keyof typeof HISTORY, string][];
  const inventory = Object.entries(INVENTORY) as [keyof typeof INVENTORY, (r: string) => string][];
  const of = history.length + inventory.length;
  const ask = async <T>(index: number, expr: string, run: () => Promise<T>): Promise<T> => {
    onQuery({ index, of, name: seriesName(expr) });
    try {
      return await run();
    } catch (err) {
      throw new PrometheusError(target.url, err as Error);
    }
  };
  const data: Partial<ContractData> = {};
  for (const [i, [key, expr]] of history.entries())
    data[key] = await ask(i + 1, expr, () => historyOnGrid(target, expr, grid));
  for (const [i, [key, expr]] of inventory.entries()) {
    const q = expr(`${inventoryStep}s`);
    data[key] = await ask(history.length + i + 1, q, () =>
      // Up to the window's end, so a machine's latest inventory is what it is now.
      queryRange(target, q, {
        start: end - Math.floor((end - grid.start) / inventoryStep) * inventoryStep,
        end,
        stepSeconds: inventoryStep,
      }),
    );
  }
  return data as ContractData;
}

/**
 * Six hours of the grid per range query. A week of 500 workloads at 5-minute steps is a million points
 * per series family; asked at once, the JSON and its parsed pairs would hold hundreds of MiB for a
 * moment. Six hours at a time, each answer (about 4 MB parsed at 500 series) goes straight onto the grid
 * and is dropped, mostly before V8 moves it to its old generation: the 50-machine report's peak was
 * about 20 MiB lower than with a day per query, in the same time (docs/benchmarks.md).
 */
const CHUNK_SECONDS = 6 * 3600;

async function historyOnGrid(target: PrometheusTarget, expr: string, grid: Grid): Promise<GridRangeSeries[]> {
  const chunkPoints = Math.max(1, Math.floor(CHUNK_SECONDS / grid.stepSeconds));
  const bySeries = new Map<string, GridRangeSeries>();
  for (let first = 0; first < grid.points; first += chunkPoints) {
    const last = Math.min(grid.points, first + chunkPoints) - 1;
    const result = await queryRange(target, expr, {
      start: grid.start + first * grid.stepSeconds,
      end: grid.start + last * grid.stepSeconds,
      stepSeconds: grid.stepSeconds,
    });
    for (const s of result) {
      const id = JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => a.localeCompare(b)));
      let series = bySeries.get(id);
      if (!series) {
        series = { metric: s.metric, values: emptySeries(grid) };
        bySeries.set(id, series);
      }
      putOnGrid(grid, series.values, s.values);
    }
  }
  return [...bySeries.values()];
}

/** Prometheus could not be asked, or refused: the message names the URL. */
export class PrometheusError extends Error {
  override readonly name = 'PrometheusError';
  constructor(url: string, err: Error) {
    super(err.message.includes(url) ? err.message : `Prometheus ${url}: ${err.message}`);
  }
}

/**
 * One trivial query first, so an unreachable server, a wrong URL or missing credentials is reported as
 * that (with the network's reason) rather than as the first real query failing.
 */
export async function checkReachable(target: PrometheusTarget): Promise<void> {
  const headers: Record<string, string> = {};
  if (target.basicAuth)
    headers.authorization = `Basic ${Buffer.from(`${target.basicAuth.username}:${target.basicAuth.password}`).toString('base64')}`;
  let res: Response;
  try {
    res = await fetch(`${target.url.replace(/\/$/, '')}/api/v1/query?query=1`, {
      headers,
      signal: AbortSignal.timeout(target.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError' ? 'no answer in time' : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new Error(`cannot reach Prometheus at ${target.url}: ${why}`);
  }
  await res.body?.cancel();
  if (res.status === 401 || res.status === 403)
    throw new Error(
      `Prometheus at ${target.url} answered HTTP ${res.status}: check the user and password (collector.prometheus.basic_auth)`,
    );
  if (!res.ok)
    throw new Error(
      `Prometheus at ${target.url} answered HTTP ${res.status} to /api/v1/query: is this the Prometheus (or VictoriaMetrics) HTTP API?`,
    );
}
