import { readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgentProcess } from '../support/agent-process.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';
import { makeSelfSignedCert } from '../support/tls.ts';

/** TLS and basic auth in the exporter-toolkit web-config format, checked by a real Prometheus. */
describe('agent behind TLS and basic auth', () => {
  let agent: RunningAgent;
  let prom: TestPrometheus;
  let tlsDir: string;
  let certFile: string;
  let certPem: string;
  /** An HTTPS GET that trusts only the test's certificate. */
  const httpsGet = (port: number, urlPath: string) =>
    new Promise<{ status: number; challenge?: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: urlPath, ca: certPem }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] });
      }).on('error', reject);
    });

  beforeAll(async () => {
    const tls = await makeSelfSignedCert();
    tlsDir = tls.dir;
    certFile = tls.cert;
    certPem = await readFile(tls.cert, 'utf8');
    const webConfig = path.join(tls.dir, 'web-config.yml');
    await writeFile(
      webConfig,
      [
        'tls_server_config:',
        '  cert_file: cert.pem', // relative to the web config file, as in exporter-toolkit
        '  key_file: key.pem',
        'basic_auth_users:',
        `  prometheus: '${bcrypt.hashSync('s3cret', 8).replace('$2b$', '$2y$')}'`,
        '',
      ].join('\n'),
    );
    agent = await startAgentProcess(
      [`--web.config.file=${webConfig}`],
      async (port) => (await httpsGet(port, '/healthz')).status === 401,
    );
    const base = {
      scheme: 'https',
      tls_config: { ca_file: certFile },
      static_configs: [{ targets: [agent.address] }],
    };
    prom = await startPrometheus([
      { job_name: 'right', ...base, basic_auth: { username: 'prometheus', password: 's3cret' } },
      { job_name: 'wrong', ...base, basic_auth: { username: 'prometheus', password: 'guess' } },
      { job_name: 'none', ...base },
    ]);
  });

  afterAll(async () => {
    await prom?.stop();
    await agent?.stop();
    if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
  });

  it('is scraped with the right credentials', async () => {
    await prom.waitForQuery('up{job="right"} == 1');
    await prom.waitForQuery('node_memory_MemTotal_bytes{job="right"}');
  });

  it('refuses wrong or missing credentials', async () => {
    const down = await prom.waitForQuery('up{job=~"wrong|none"} == 0', (r) => r.length === 2);
    expect(down.map((s) => s.metric.job).sort()).toEqual(['none', 'wrong']);
    expect(await prom.query('node_memory_MemTotal_bytes{job=~"wrong|none"}')).toEqual([]);
  });

  it('answers 401 with a Basic challenge and serves only over TLS', async () => {
    const res = await httpsGet(agent.port, '/metrics');
    expect(res.status).toBe(401);
    expect(res.challenge).toMatch(/^Basic/);
    await expect(fetch(`http://127.0.0.1:${agent.port}/metrics`)).rejects.toThrow();
  });
});
