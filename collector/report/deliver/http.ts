import { DeliveryError } from './retry.ts';

/** Statuses worth another attempt; any other 4xx means the request itself is wrong. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * POSTs JSON and throws a DeliveryError naming `label` (never the URL, which may be the secret),
 * the status and the start of the answer. Aborts after `timeoutMs`: a receiver that accepts the
 * connection and never answers must not hold the weekly run forever.
 */
export async function postJson(
  url: string,
  body: unknown,
  opts: { label: string; timeoutMs: number; headers?: Record<string, string> },
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new DeliveryError(`${opts.label}: no answer within ${opts.timeoutMs / 1000}s (timed out)`, true);
    throw new DeliveryError(`${opts.label}: ${e.cause?.code ?? e.message}`, true);
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return;
  const detail = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  throw new DeliveryError(
    `${opts.label}: HTTP ${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}`,
    res.status >= 500 || RETRYABLE_4XX.has(res.status),
  );
}
