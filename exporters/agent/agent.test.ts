import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig } from '../../common/config.ts';
import { silentLogger } from '../../common/log.ts';
import { parseExposition } from '../../test/support/exposition.ts';
import { fixturePath } from '../../test/support/fixtures.ts';
import { createAgent, parseListenAddress } from './agent.ts';
import { Scraper } from './scrape.ts';

const agentOn = (procfs: string, sysfs: string) =>
  createAgent({
    paths: { procfs, sysfs, rootfs: '/nonexistent' },
    config: { ...defaultConfig().agent, speed_score: { enabled: false, runs: 1 } },
    webConfig: { headers: {} },
    disabled: new Set(),
    log: silentLogger,
  });

describe('a broken host tree never breaks the scrape', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-broken-'));
    await cp(fixturePath('proc-sys/node_exporter__proc'), path.join(dir, 'proc'), { recursive: true });
    // A /proc/stat cut off mid-line, and a /sys without hwmon or thermal classes.
    await writeFile(
      path.join(dir, 'proc/stat'),
      'cpu  301854 612 111922 8979004 3552 2 3944 0 0 0\ncpu0 44490 19 2',
    );
    await cp(
      fixturePath('proc-sys/x86-hwmon-rapl__node_exporter/sys/class/powercap'),
      path.join(dir, 'sys/class/powercap'),
      {
        recursive: true,
      },
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reports the failed collectors down with reasons and serves the rest', async () => {
    const { app } = await agentOn(path.join(dir, 'proc'), path.join(dir, 'sys'));
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();
    expect(res.statusCode).toBe(200);
    const samples = parseExposition(res.body);
    const up = new Map(
      samples.filter((s) => s.name === 'tierwise_collector_up').map((s) => [s.labels.collector, s]),
    );
    expect(up.get('cpu')?.value).toBe(0);
    expect(up.get('cpu')?.labels.reason).toMatch(/truncated/);
    expect(up.get('stat')?.value).toBe(0);
    expect(up.get('hwmon')?.value).toBe(0);
    expect(up.get('hwmon')?.labels.reason).toMatch(/^no data: .*hwmon/);
    expect(up.get('meminfo')?.value).toBe(1);
    expect(up.get('inventory')?.value).toBe(1);
    expect(samples.some((s) => s.name === 'node_memory_MemTotal_bytes')).toBe(true);
    expect(samples.some((s) => s.name === 'node_cpu_seconds_total')).toBe(false);
    expect(samples.every((s) => !Number.isNaN(s.value))).toBe(true);
  });

  it('lists each collector and its state on the index page', async () => {
    const { app } = await agentOn(path.join(dir, 'proc'), path.join(dir, 'sys'));
    await app.inject({ method: 'GET', url: '/metrics' });
    const page = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toMatch(/<tr class="down"><td>hwmon<\/td>/);
    expect(page.body).toMatch(/<tr class="up"><td>meminfo<\/td>/);
  });
});

describe('Scraper', () => {
  it('answers on time when a collector hangs, and reports it down', async () => {
    const scraper = new Scraper(
      [
        { name: 'hangs', description: '', collector: { collect: () => new Promise(() => {}) } },
        {
          name: 'works',
          description: '',
          collector: {
            collect: async () => [
              { name: 'x', help: 'x', type: 'gauge', samples: [{ labels: {}, value: 1 }] },
            ],
          },
        },
      ],
      0.2,
      silentLogger,
    );
    const { families, statuses } = await scraper.scrape();
    expect(statuses.map((s) => [s.name, s.up, s.reason])).toEqual([
      ['hangs', false, 'timeout after 0.2s'],
      ['works', true, undefined],
    ]);
    expect(families.find((f) => f.name === 'x')?.samples[0]?.value).toBe(1);
  });
});

describe('agent options', () => {
  it('rejects an unknown collector name in the config with the key that holds it', async () => {
    const config = defaultConfig().agent;
    config.collectors.disabled = ['cpu', 'gpuu'];
    await expect(
      createAgent({
        paths: { procfs: '/proc', sysfs: '/sys', rootfs: '/' },
        config,
        configFile: 'tierwise.yml',
        webConfig: { headers: {} },
        disabled: new Set(),
        log: silentLogger,
      }),
    ).rejects.toThrow(ConfigError);
  });

  it.each([
    [':10090', { host: '::', port: 10090 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9', { host: '::1', port: 9 }],
  ])('parses the listen address %s', (address, expected) => {
    expect(parseListenAddress(address)).toEqual(expected);
  });

  it('rejects a listen address without a port', () => {
    expect(() => parseListenAddress('localhost')).toThrow(/expected \[host\]:port/);
  });
});
