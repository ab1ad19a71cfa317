import { writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { contextFor, readFixture, sampleValue, tempDir } from '../../../test/support/fixtures.ts';
import { startKasaServer, startPlugHttpServer } from '../../../test/support/plug-servers.ts';
import { NoDataError } from '../../collector.ts';
import type { MetricFamily } from '../../metrics.ts';
import { createPlugCollector, type PlugCollectorOptions, sameMachine } from './collector.ts';
import { type PlugConfig, plugsConfigSchema } from './config.ts';
import { KASA_REQUEST } from './kasa.ts';

const shelly = (file: string) => readFixture('smart-plugs', 'shelly', file);
const tasmota = (file: string) => readFixture('smart-plugs', 'tasmota', file);
const kasa = (file: string) =>
  JSON.parse(readFixture('smart-plugs', 'tplink-kasa', file)) as Record<string, unknown>;
/** The `status` answer out of an aioshelly device dump, as the device sent it. */
const shellyDumped = (file: string) => JSON.stringify(JSON.parse(shelly(file)).status);

/** The recorded Plug S /status answer with only its numbers changed: meters[0].power and .total. */
function gen1With(power: number, total: number): string {
  const status = JSON.parse(shelly('gen1_plug-s_status.json'));
  status.meters[0].power = power;
  status.meters[0].total = total;
  return JSON.stringify(status);
}

function plugs(...entries: Array<Record<string, unknown>>): PlugConfig[] {
  return plugsConfigSchema.parse(entries);
}

/** A collector for this machine ("gpu-box") on a clock the test moves; polls only when told. */
function collectorFor(config: PlugConfig[], options: PlugCollectorOptions = {}, log = contextFor({}).log) {
  const clock = { now: 1_700_000_000_000 };
  const collector = createPlugCollector({ ...contextFor({}), log }, config, {
    machine: 'gpu-box',
    start: false,
    now: () => clock.now,
    ...options,
  });
  onTestFinished(() => collector.close());
  return { collector, clock };
}

const up = (f: MetricFamily[], plug: string) =>
  f.find((x) => x.name === 'tierwise_plug_up')?.samples.find((s) => s.labels.plug === plug);

describe('createPlugCollector against replayed devices', () => {
  it('serves a Shelly Gen1 plug from its last reading: the plug, and this machine through it', async () => {
    const device = await startPlugHttpServer({ '/status': shelly('gen1_plug-s_status.json') });
    const { collector, clock } = collectorFor(
      plugs({ name: 'desk', kind: 'shelly-gen1', address: device.address, machines: ['gpu-box'] }),
    );
    await collector.poll();
    clock.now += 2000;
    const f = await collector.collect();
    expect(sampleValue(f, 'tierwise_plug_up', { plug: 'desk' })).toBe(1);
    expect(sampleValue(f, 'tierwise_plug_sample_age_seconds', { plug: 'desk' })).toBe(2);
    expect(sampleValue(f, 'tierwise_plug_power_watts', { plug: 'desk', kind: 'shelly-gen1' })).toBe(11.95);
    expect(
      sampleValue(f, 'tierwise_plug_energy_joules_total', {
        plug: 'desk',
        kind: 'shelly-gen1',
        method: 'meter',
      }),
    ).toBe(1_207_800);
    expect(sampleValue(f, 'tierwise_node_power_watts', { source: 'plug', plug: 'desk' })).toBe(11.95);
    expect(
      sampleValue(f, 'tierwise_node_energy_joules_total', { source: 'plug', plug: 'desk', method: 'meter' }),
    ).toBe(1_207_800);
    expect(f.find((x) => x.name === 'tierwise_node_energy_joules_total')?.type).toBe('counter');
    expect(device.requests.map((r) => r.url)).toEqual(['/status']);
  });

  it('keeps the energy counter monotonic when a Shelly Gen1 reboots and its total restarts', async () => {
    // The recorded answer, then the same answer with only power and total changed: 60 Wmin more, then a
    // reboot (12 Wmin since), then 13 Wmin more.
    const device = await startPlugHttpServer({
      '/status': [
        shelly('gen1_plug-s_status.json'),
        gen1With(12.1, 20190),
        gen1With(12, 12),
        gen1With(12.3, 25),
      ],
    });
    const { collector, clock } = collectorFor(
      plugs({ name: 'desk', kind: 'shelly-gen1', address: device.address, machines: ['gpu-box'] }),
    );
    const seen: Array<number | undefined> = [];
    for (let i = 0; i < 4; i++) {
      await collector.poll();
      const f = await collector.collect();
      seen.push(
        sampleValue(f, 'tierwise_node_energy_joules_total', {
          source: 'plug',
          plug: 'desk',
          method: 'meter',
        }),
      );
      clock.now += 10_000;
    }
    expect(seen).toEqual([1_207_800, 1_211_400, 1_212_120, 1_212_900]);
  });

  it('keeps a Kasa counter monotonic when its statistics restart (KP115, total_wh)', async () => {
    // The recorded KP115 dump, then the same with only power_mw and total_wh changed: 2 Wh more, then
    // erased (3 Wh since).
    const recorded = kasa('KP115-EU_hw1.0_fw1.0.16.json');
    const withWh = (power_mw: number, total_wh: number) => {
      const dump = structuredClone(recorded) as { emeter: { get_realtime: Record<string, number> } };
      Object.assign(dump.emeter.get_realtime, { power_mw, total_wh });
      return dump;
    };
    const device = await startKasaServer([recorded, withWh(64_000, 12_070), withWh(63_000, 3)]);
    const { collector } = collectorFor(plugs({ name: 'nas', kind: 'kasa', address: device.address }));
    const seen: Array<number | undefined> = [];
    for (let i = 0; i < 3; i++) {
      await collector.poll();
      const f = await collector.collect();
      seen.push(
        sampleValue(f, 'tierwise_plug_energy_joules_total', { plug: 'nas', kind: 'kasa', method: 'meter' }),
      );
    }
    expect(seen).toEqual([43_444_800, 43_452_000, 43_462_800]);
    expect(device.requests).toEqual([KASA_REQUEST, KASA_REQUEST, KASA_REQUEST]);
  });

  it('reads Kasa plugs over TCP in both field styles', async () => {
    const v1 = await startKasaServer(kasa('HS110-EU_hw1.0_fw1.2.5.json'));
    const v4 = await startKasaServer(kasa('HS110-EU_hw4.0_fw1.0.4.json'));
    const { collector } = collectorFor(
      plugs(
        { name: 'old', kind: 'kasa', address: v1.address, machines: ['gpu-box'] },
        { name: 'new', kind: 'kasa', address: v4.address },
      ),
    );
    await collector.poll();
    const f = await collector.collect();
    expect(sampleValue(f, 'tierwise_plug_power_watts', { plug: 'old', kind: 'kasa' })).toBe(0.928511);
    expect(
      sampleValue(f, 'tierwise_plug_energy_joules_total', { plug: 'old', kind: 'kasa', method: 'meter' }),
    ).toBeCloseTo(198_500_400, 6);
    expect(sampleValue(f, 'tierwise_plug_power_watts', { plug: 'new', kind: 'kasa' })).toBe(61.753);
    expect(
      sampleValue(f, 'tierwise_plug_energy_joules_total', { plug: 'new', kind: 'kasa', method: 'meter' }),
    ).toBe(58_762_800);
    // Only "old" feeds this machine.
    expect(f.find((x) => x.name === 'tierwise_node_power_watts')?.samples).toEqual([
      { labels: { source: 'plug', plug: 'old' }, value: 0.928511 },
    ]);
  });

  it('shares a Pro 3EM among machines, logging in with HTTP digest from a password file', async () => {
    const dir = await tempDir('plugs');
    const passwordFile = path.join(dir, 'pro3em.pass');
    await writeFile(passwordFile, 'correct horse\n');
    const device = await startPlugHttpServer(
      { '/rpc/Shelly.GetStatus': shellyDumped('gen2_ShellyPro3EM_SPEM-003CEBEU_fw1.1.0.json') },
      { digest: { username: 'admin', password: 'correct horse', realm: 'shellypro3em-aabbccddeeff' } },
    );
    const config = plugs({
      name: 'rack',
      kind: 'shelly-rpc',
      address: `http://${device.address}`,
      password_file: passwordFile,
      machines: [{ name: 'nas', share: 0.6 }, 'gpu-box'],
    });
    const here = collectorFor(config);
    await here.collector.poll();
    const f = await here.collector.collect();
    expect(sampleValue(f, 'tierwise_plug_power_watts', { plug: 'rack', kind: 'shelly-rpc' })).toBe(558.965);
    expect(sampleValue(f, 'tierwise_node_power_watts', { source: 'plug', plug: 'rack' })).toBeCloseTo(
      558.965 * 0.4,
      9,
    );
    expect(
      sampleValue(f, 'tierwise_node_energy_joules_total', { source: 'plug', plug: 'rack', method: 'meter' }),
    ).toBeCloseTo(9_323_184_204 * 0.4, 3);
    // The challenge, then the answered request.
    expect(device.requests.map((r) => [r.url, r.headers.authorization?.split(' ')[0]])).toEqual([
      ['/rpc/Shelly.GetStatus', undefined],
      ['/rpc/Shelly.GetStatus', 'Digest'],
    ]);

    const elsewhere = collectorFor(config, { machine: 'pi4-a' });
    await elsewhere.collector.poll();
    const g = await elsewhere.collector.collect();
    expect(sampleValue(g, 'tierwise_plug_up', { plug: 'rack' })).toBe(1);
    expect(g.find((x) => x.name.startsWith('tierwise_node_'))).toBeUndefined();
  });

  it('reads one phase of a Pro 3EM when the config names the channel', async () => {
    const device = await startPlugHttpServer({
      '/rpc/Shelly.GetStatus': shellyDumped('gen2_ShellyPro3EM_SPEM-003CEBEU_fw1.1.0.json'),
    });
    const { collector } = collectorFor(
      plugs({
        name: 'phase-b',
        kind: 'shelly-rpc',
        address: device.address,
        channel: 'b',
        machines: ['gpu-box'],
      }),
    );
    await collector.poll();
    const f = await collector.collect();
    expect(sampleValue(f, 'tierwise_node_power_watts', { source: 'plug', plug: 'phase-b' })).toBe(170.8);
    expect(
      sampleValue(f, 'tierwise_node_energy_joules_total', {
        source: 'plug',
        plug: 'phase-b',
        method: 'meter',
      }),
    ).toBeCloseTo(668_472_804, 3);
  });

  it('logs in to a Shelly Gen1 with HTTP Basic; a wrong or missing password file is reported', async () => {
    const dir = await tempDir('plugs');
    const good = path.join(dir, 'good.pass');
    const bad = path.join(dir, 'bad.pass');
    await writeFile(good, 's3cret\n');
    await writeFile(bad, 'guess\n');
    const device = await startPlugHttpServer(
      { '/status': shelly('gen1_plug-s_status.json') },
      { basic: { username: 'admin', password: 's3cret' } },
    );
    const { collector } = collectorFor(
      plugs(
        { name: 'good', kind: 'shelly-gen1', address: device.address, password_file: good },
        { name: 'bad', kind: 'shelly-gen1', address: device.address, username: 'admin', password_file: bad },
        { name: 'lost', kind: 'shelly-gen1', address: device.address, password_file: path.join(dir, 'none') },
      ),
    );
    await collector.poll();
    const f = await collector.collect();
    expect(sampleValue(f, 'tierwise_plug_up', { plug: 'good' })).toBe(1);
    expect(sampleValue(f, 'tierwise_plug_power_watts', { plug: 'good', kind: 'shelly-gen1' })).toBe(11.95);
    expect(sampleValue(f, 'tierwise_plug_up', { plug: 'bad', reason: 'http 401' })).toBe(0);
    expect(
      sampleValue(f, 'tierwise_plug_up', { plug: 'lost', reason: 'password_file unreadable (ENOENT)' }),
    ).toBe(0);
    // "lost" never reached the device.
    expect(device.requests).toHaveLength(2);
  });

  it('sends Tasmota its password in the query and never logs it', async () => {
    const dir = await tempDir('plugs');
    const passwordFile = path.join(dir, 'tasmota.pass');
    await writeFile(passwordFile, 'hunter2&more\n');
    const device = await startPlugHttpServer({
      '/cm': [{ status: 500, body: 'oops' }, tasmota('sonoff-pow-r2_status8.json')],
    });
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    const { collector } = collectorFor(
      plugs({ name: 'heater', kind: 'tasmota', address: device.address, password_file: passwordFile }),
      {},
      log,
    );
    await collector.poll();
    expect(
      sampleValue(await collector.collect(), 'tierwise_plug_up', { plug: 'heater', reason: 'http 500' }),
    ).toBe(0);
    await collector.poll();
    const f = await collector.collect();
    expect(sampleValue(f, 'tierwise_plug_up', { plug: 'heater' })).toBe(1);
    expect(sampleValue(f, 'tierwise_plug_power_watts', { plug: 'heater', kind: 'tasmota' })).toBe(2629);
    expect(
      sampleValue(f, 'tierwise_plug_energy_joules_total', {
        plug: 'heater',
        kind: 'tasmota',
        method: 'meter',
      }),
    ).toBeCloseTo(23_054_400, 6);
    expect(device.requests[0]?.url).toBe('/cm?cmnd=Status%208&user=admin&password=hunter2%26more');
    expect(lines.join('')).toContain('http 500');
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('reports each way a plug can fail, and never makes the scrape wait', async () => {
    const hung = await startPlugHttpServer({ '/status': 'hang' });
    const garbage = await startPlugHttpServer({ '/status': '<html><body>Captive portal</body></html>' });
    const broken = await startPlugHttpServer({ '/rpc/Shelly.GetStatus': { status: 503, body: 'busy' } });
    const kasaHung = await startKasaServer('hang');
    const kasaGarbage = await startKasaServer('garbage');
    const noMeter = await startKasaServer(kasa('HS100-UK_hw4.1_fw1.1.0.json'));
    const mini = await startPlugHttpServer({
      '/rpc/Shelly.GetStatus': shelly('gen4_ShellyMini1_Shelly.GetStatus.json'),
    });
    const closed = await freePort();
    const fast = { timeout_seconds: 0.3, machines: ['gpu-box'] };
    const { collector } = collectorFor(
      plugs(
        { name: 'hung', kind: 'shelly-gen1', address: hung.address, ...fast },
        { name: 'garbage', kind: 'shelly-gen1', address: garbage.address, ...fast },
        { name: 'broken', kind: 'shelly-rpc', address: broken.address, ...fast },
        { name: 'kasa-hung', kind: 'kasa', address: kasaHung.address, ...fast },
        { name: 'kasa-garbage', kind: 'kasa', address: kasaGarbage.address, ...fast },
        { name: 'hs100', kind: 'kasa', address: noMeter.address, ...fast },
        { name: 'mini', kind: 'shelly-rpc', address: mini.address, ...fast },
        { name: 'gone', kind: 'tasmota', address: `127.0.0.1:${closed}`, ...fast },
        { name: 'wrong-channel', kind: 'shelly-rpc', address: mini.address, channel: 3, ...fast },
      ),
    );
    const polling = collector.poll();
    const started = performance.now();
    const during = await collector.collect();
    expect(performance.now() - started).toBeLessThan(50);
    expect(up(during, 'hung')).toEqual({ labels: { plug: 'hung', reason: 'not polled yet' }, value: 0 });
    await polling;
    const f = await collector.collect();
    const reasons = Object.fromEntries(
      (f.find((x) => x.name === 'tierwise_plug_up')?.samples ?? []).map((s) => [
        s.labels.plug,
        [s.value, s.labels.reason],
      ]),
    );
    expect(reasons).toEqual({
      hung: [0, 'timeout'],
      garbage: [0, 'invalid answer'],
      broken: [0, 'http 503'],
      'kasa-hung': [0, 'timeout'],
      'kasa-garbage': [0, 'invalid answer'],
      hs100: [0, 'no meter'],
      mini: [0, 'no meter'],
      gone: [0, 'unreachable (ECONNREFUSED)'],
      'wrong-channel': [0, 'no channel 3'],
    });
    expect(f.map((x) => x.name)).toEqual(['tierwise_plug_up']);
  });

  it('leaves out the power of a plug that stopped answering, keeps its energy, and says how old it is', async () => {
    const device = await startPlugHttpServer({ '/status': [shelly('gen1_plug-s_status.json'), 'hang'] });
    const { collector, clock } = collectorFor(
      plugs({
        name: 'desk',
        kind: 'shelly-gen1',
        address: device.address,
        timeout_seconds: 0.2,
        machines: ['gpu-box'],
      }),
    );
    await collector.poll();
    clock.now += 10_000;
    await collector.poll();
    let f = await collector.collect();
    expect(sampleValue(f, 'tierwise_plug_up', { plug: 'desk', reason: 'timeout' })).toBe(0);
    expect(sampleValue(f, 'tierwise_plug_sample_age_seconds', { plug: 'desk' })).toBe(10);
    expect(sampleValue(f, 'tierwise_node_power_watts', { source: 'plug', plug: 'desk' })).toBe(11.95);
    clock.now += 21_000; // 31 s: more than three polls (30 s) without a reading
    f = await collector.collect();
    expect(sampleValue(f, 'tierwise_plug_sample_age_seconds', { plug: 'desk' })).toBe(31);
    expect(
      sampleValue(f, 'tierwise_plug_power_watts', { plug: 'desk', kind: 'shelly-gen1' }),
    ).toBeUndefined();
    expect(sampleValue(f, 'tierwise_node_power_watts', { source: 'plug', plug: 'desk' })).toBeUndefined();
    expect(
      sampleValue(f, 'tierwise_node_energy_joules_total', { source: 'plug', plug: 'desk', method: 'meter' }),
    ).toBe(1_207_800);
  });

  it('integrates the power of a plug without an energy counter, and says so', async () => {
    // Typed readings, not device answers: no recorded plug reports power without a counter.
    const watts = [10, 20];
    const { collector, clock } = collectorFor(
      plugs({ name: 'relay', kind: 'tasmota', address: 'unused.invalid', channel: 2, machines: ['gpu-box'] }),
      { readers: { relay: async () => ({ channels: [{ channel: '2', watts: watts.shift() ?? 0 }] }) } },
    );
    await collector.poll();
    clock.now += 10_000;
    await collector.poll();
    const f = await collector.collect();
    expect(
      sampleValue(f, 'tierwise_plug_energy_joules_total', {
        plug: 'relay',
        kind: 'tasmota',
        method: 'integrated',
      }),
    ).toBe(150);
    expect(
      sampleValue(f, 'tierwise_node_energy_joules_total', {
        source: 'plug',
        plug: 'relay',
        method: 'integrated',
      }),
    ).toBe(150);
    expect(sampleValue(f, 'tierwise_node_power_watts', { source: 'plug', plug: 'relay' })).toBe(20);
  });

  it('polls in the background on its own, and stops when closed', async () => {
    const device = await startPlugHttpServer({ '/status': shelly('gen1_plug_status.json') });
    const { collector } = collectorFor(
      plugs({ name: 'desk', kind: 'shelly-gen1', address: device.address, poll_seconds: 0.05 }),
      { start: true },
    );
    await expect.poll(() => device.requests.length, { timeout: 2000 }).toBeGreaterThanOrEqual(3);
    collector.close();
    const after = device.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(device.requests.length).toBeLessThanOrEqual(after + 1);
  });

  it('has no data without plugs', async () => {
    const { collector } = collectorFor([]);
    await expect(collector.collect()).rejects.toBeInstanceOf(NoDataError);
  });
});

describe('sameMachine', () => {
  it('matches short and full host names, case-insensitively', () => {
    expect(sameMachine('pi4-a', 'PI4-A.lan')).toBe(true);
    expect(sameMachine('pi4-a', 'pi4-b')).toBe(false);
    expect(sameMachine('192.168.1.2', '192.168.1.3')).toBe(false);
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
