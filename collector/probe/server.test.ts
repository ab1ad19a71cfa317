import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.ts';
import { FamilyBuilder } from '../../exporters/metrics.ts';
import { tempDir } from '../../test/support/fixtures.ts';
import type { ProbeTarget } from './config.ts';
import { buildProbeServer, type Prober } from './server.ts';
import { TargetRegistry } from './targets.ts';

const TARGETS = `probe:
  targets:
    - { name: pentium2, host: 192.0.2.10, user: tierwise, key_file: /etc/tierwise/id_ed25519 }
    - { name: "router; rm -rf /", host: 192.0.2.1, user: root, key_file: /k }
`;

/** Answers every probe from memory and records which configured target it was given. */
function recordingProber(): Prober & { seen: ProbeTarget[] } {
  const seen: ProbeTarget[] = [];
  return {
    seen,
    async probe(target) {
      seen.push(target);
      return {
        success: true,
        durationSeconds: 0.01,
        families: new FamilyBuilder().gauge('node_load1', '1m load average.', 0.5).build(),
      };
    },
  };
}

async function server(yaml = TARGETS) {
  const webConfig = { headers: {} };
  const file = path.join(await tempDir('probe-server'), 'tierwise.yml');
  await writeFile(file, yaml);
  const registry = await TargetRegistry.open(file, silentLogger);
  const prober = recordingProber();
  const app = buildProbeServer({ registry, prober, webConfig, log: silentLogger, version: 'test' });
  return { app, prober, registry, file };
}

describe('probe server', () => {
  it('probes a configured target by name and adds the health series', async () => {
    const { app, prober } = await server();
    const res = await app.inject({ url: '/probe?target=pentium2' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('node_load1 0.5');
    expect(res.body).toContain('tierwise_probe_success 1');
    expect(res.body).toContain('tierwise_probe_info{reason=""} 1');
    expect(prober.seen.map((t) => t.host)).toEqual(['192.0.2.10']);
  });

  it('takes a hostile name only as a key into the configured targets', async () => {
    const { app, prober } = await server();
    expect(
      (await app.inject({ url: `/probe?target=${encodeURIComponent('router; rm -rf /')}` })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: '/probe?target=$(reboot)' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/probe' })).statusCode).toBe(400);
    expect(prober.seen.map((t) => t.name)).toEqual(['router; rm -rf /']);
  });

  it('reloads targets on request, and keeps the old ones when the new file is broken', async () => {
    const { app, file } = await server();
    await writeFile(file, `${TARGETS}    - { name: pi-zero, host: 192.0.2.20, user: pi, key_file: /k }\n`);
    expect((await app.inject({ method: 'POST', url: '/-/reload' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/probe?target=pi-zero' })).statusCode).toBe(200);
    await writeFile(file, 'probe:\n  targets:\n    - { name: x, host: h }\n'); // no user, no key
    expect((await app.inject({ method: 'POST', url: '/-/reload' })).statusCode).toBe(500);
    expect((await app.inject({ url: '/probe?target=pi-zero' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).body).toContain(
      'tierwise_probe_config_last_reload_successful 0',
    );
  });
});
