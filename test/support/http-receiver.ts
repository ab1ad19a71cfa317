import { createServer, type IncomingHttpHeaders } from 'node:http';
import { waitFor } from './processes.ts';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (Date.now()). */
  at: number;
}

export interface HttpReceiver {
  /** http://127.0.0.1:port, no trailing slash. */
  url: string;
  received: ReceivedRequest[];
  /** Waits for a request that `accept` agrees to (one that arrived before the call counts too). */
  waitFor(
    what: string,
    accept: (r: ReceivedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedRequest>;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP server that keeps what it was sent: a webhook's far end. It answers 200, or what
 * `answer` says for the n-th request (from 1): a status, or 'hang' to never answer.
 */
export async function startHttpReceiver(
  answer: (n: number) => number | 'hang' = () => 200,
): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const status = answer(received.length);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver says no');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('receiver has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    received,
    waitFor: (what, accept, timeoutMs = 30_000) =>
      waitFor(what, async () => received.find(accept), timeoutMs, 100),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
