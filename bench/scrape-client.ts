import { Agent, request } from 'node:http';

/** Kept-alive connections, as Prometheus holds them to its targets. */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 10 });

/**
 * One scrape of 127.0.0.1:<port>/metrics as Prometheus makes it (gzip, kept-alive connection), in
 * milliseconds; the body is read but not kept.
 */
export function scrapeMs(port: number): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/metrics', headers: { 'accept-encoding': 'gzip' }, agent: keepAlive },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - start) / 1e6);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Closes the kept-alive connections, so the benchmark's process can exit. */
export function closeScrapeConnections(): void {
  keepAlive.destroy();
}
