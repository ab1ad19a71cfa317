/** One series of a range query: its labels and [unix seconds, value] pairs. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface PrometheusTarget {
  url: string;
  timeoutMs?: number;
  /** Sent as HTTP basic auth; read from a file by the caller, never logged. */
  basicAuth?: { username: string; password: string };
}

/**
 * GET /api/v1/query_range with a deadline. Errors name the expression and what Prometheus said, so a
 * typo in an instance label is told apart from an unreachable server.
 */
export async function queryRange(
  target: PrometheusTarget,
  expr: string,
  range: { start: number; end: number; stepSeconds: number },
): Promise<RangeSeries[]> {
  const params = new URLSearchParams({
    query: expr,
    start: String(range.start),
    end: String(range.end),
    step: String(range.stepSeconds),
  });
  const headers: Record<string, string> = {};
  if (target.basicAuth)
    headers.authorization = `Basic ${Buffer.from(`${target.basicAuth.username}:${target.basicAuth.password}`).toString('base64')}`;
  const url = `${target.url.replace(/\/$/, '')}/api/v1/query_range?${params}`;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(target.timeoutMs ?? 30_000) });
  } catch (err) {
    throw new Error(`Prometheus ${target.url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: RangeSeries[] } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Prometheus ${target.url}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (body.status !== 'success' || body.data?.resultType !== 'matrix')
    throw new Error(`Prometheus ${target.url}: query ${expr} failed: ${body.error ?? `HTTP ${res.status}`}`);
  return body.data.result ?? [];
}

/** A PromQL string literal for an arbitrary value: backslashes and quotes escaped, never injected. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
