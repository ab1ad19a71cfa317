import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const workloadFixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/workloads');

/** A recorded API answer under test/fixtures/workloads (see SOURCES.md there). */
export function readWorkloadFixture(name: string): string {
  return readFileSync(path.join(workloadFixtures, name), 'utf8');
}

/**
 * How the stand-in answers: 'replay' serves `routes` (pathname → body, 200; anything else 404),
 * 'hang' accepts every request and never answers, 'forbidden' answers 403 with a recorded Status body.
 */
export type ReplayMode = 'replay' | 'hang' | 'forbidden';

export interface ReplayServer {
  /** https://127.0.0.1:<port> for a TLS server; undefined on a unix socket. */
  url: string | undefined;
  /** Every request seen, for asserting on the path, query and headers the client sent. */
  requests: http.IncomingMessage[];
}

export interface ReplayOptions {
  routes?: Record<string, string>;
  mode?: ReplayMode;
  listen: { socketPath: string } | { tls: { cert: string; key: string } };
}

/** A real API server's answer when RBAC denies listing pods (SOURCES.md says where it was recorded). */
const FORBIDDEN_BODY = 'kubernetes_403_list-pods_kubeflow-issue-1082.json';

/**
 * Starts a stand-in Docker Engine (on a unix socket) or Kubernetes API server (HTTPS on loopback) that
 * replays recorded answers. It is closed, hanging connections included, when the calling test ends.
 */
export async function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
  const requests: http.IncomingMessage[] = [];
  const mode = options.mode ?? 'replay';
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests.push(req);
    if (mode === 'hang') return;
    if (mode === 'forbidden') return send(res, 403, readWorkloadFixture(FORBIDDEN_BODY));
    const body = options.routes?.[new URL(req.url ?? '/', 'http://replay').pathname];
    return body === undefined ? send(res, 404, '{"message":"page not found"}') : send(res, 200, body);
  };
  const server =
    'tls' in options.listen ? https.createServer(options.listen.tls, handle) : http.createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if ('socketPath' in options.listen) server.listen(options.listen.socketPath, resolve);
    else server.listen(0, '127.0.0.1', resolve);
  });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const address = server.address();
  const url =
    'tls' in options.listen ? `https://127.0.0.1:${(address as AddressInfo).port.toString()}` : undefined;
  return { url, requests };
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
}
