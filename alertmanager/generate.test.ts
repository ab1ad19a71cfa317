import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { amtool, routeReceivers } from '../test/support/alertmanager.ts';
import { type AlertingConfig, alertingConfigSchema } from './config-schema.ts';
import { alertmanagerConfig, writeAlertmanagerFiles } from './generate.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tierwise-am-gen-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Every kind of receiver, each secret in a file of its own. */
async function everyReceiver(dir: string): Promise<AlertingConfig> {
  const secret = async (name: string, value: string) => {
    const file = path.join(dir, name);
    await writeFile(file, value, { mode: 0o600 });
    return file;
  };
  return alertingConfigSchema.parse({
    receivers: [
      {
        type: 'ntfy',
        name: 'phone',
        url: 'https://ntfy.sh/homelab',
        token_file: await secret('ntfy-token', 'tk_x'),
        priority: 'urgent',
      },
      { type: 'ntfy', name: 'phone-quiet', url: 'https://ntfy.example.org/homelab?x=1' },
      {
        type: 'email',
        name: 'mail',
        to: 'me@example.org',
        from: 'tierwise@example.org',
        smarthost: 'smtp.example.org:587',
        username: 'tierwise',
        password_file: await secret('smtp-password', 'pw'),
      },
      {
        type: 'slack',
        name: 'discord',
        url_file: await secret('discord-url', 'https://discord.com/api/webhooks/1/x/slack'),
        channel: '#lab',
      },
      { type: 'webhook', name: 'hook', url: 'http://127.0.0.1:9/alerts' },
      {
        type: 'webhook',
        name: 'hook-bearer',
        url: 'https://bridge.example.org/alerts',
        bearer_token_file: await secret('hook-token', 't'),
      },
      {
        type: 'webhook',
        name: 'hook-basic',
        url: 'https://bridge.example.org/alerts',
        basic_auth: { username: 'am', password_file: await secret('hook-password', 'p') },
      },
    ],
    severity: { critical: ['phone', 'mail'], warning: ['mail', 'hook'], info: ['hook-basic'] },
    tiers: { 'pi-cluster': ['discord', 'mail'], 'gpu "box"': ['hook-bearer'], spare: ['phone-quiet'] },
    schedules: {
      nights: { timezone: 'Europe/London', times: [{ start: '23:00', end: '07:00' }] },
      weekends: {
        timezone: 'America/New_York',
        times: [{ weekdays: ['friday:monday'], start: '18:00', end: '09:30' }],
      },
    },
  });
}

async function write(name: string, alerting: AlertingConfig): Promise<string> {
  return (await writeAlertmanagerFiles(path.join(tmp, name), alerting)).configFile;
}

describe('amtool check-config', () => {
  it('passes with every kind of receiver, schedules and templates', async () => {
    const dir = path.join(tmp, 'all');
    const configFile = await write('all', await everyReceiver(tmp));
    const r = await amtool(['check-config', configFile]);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.stdout).toMatch(/8 receivers/);
    expect(r.stdout).toMatch(/1 templates/);
    expect(r.code).toBe(0);
    expect(path.dirname(configFile)).toBe(dir);
  });

  it('passes with nothing configured', async () => {
    const configFile = await write('none', alertingConfigSchema.parse({}));
    const r = await amtool(['check-config', configFile]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('rejects a broken config, so the passes above mean something', async () => {
    const configFile = path.join(tmp, 'broken.yml');
    await writeFile(configFile, 'route:\n  receiver: nobody\nreceivers:\n  - name: "null"\n');
    expect((await amtool(['check-config', configFile])).code).not.toBe(0);
  });
});

describe('amtool config routes test', () => {
  let configFile: string;
  beforeAll(async () => {
    configFile = await write('routes', await everyReceiver(tmp));
  });

  it.each([
    ['critical goes to every critical receiver', { severity: 'critical' }, ['phone', 'mail']],
    ['warning goes to the warning receivers', { severity: 'warning' }, ['mail', 'hook']],
    ['info goes to the info receivers', { severity: 'info' }, ['hook-basic']],
    [
      'a tier alert also reaches its tier',
      { severity: 'warning', tier: 'pi-cluster' },
      ['mail', 'hook', 'discord'],
    ],
    [
      'a tier receiver that has the severity is told once',
      { severity: 'critical', tier: 'pi-cluster' },
      ['phone', 'mail', 'discord'],
    ],
    [
      'a tier name with quotes matches',
      { severity: 'info', tier: 'gpu "box"' },
      ['hook-basic', 'hook-bearer'],
    ],
    ['an untiered severity-less alert goes nowhere', { alertname: 'X' }, ['null']],
    [
      'a scheduled machine routes as usual (muted only inside the window)',
      { alertname: 'TierwiseTargetDown', power_schedule: 'nights', severity: 'critical', tier: 'spare' },
      ['phone', 'mail', 'phone-quiet'],
    ],
  ])('%s', async (_what, labels, receivers) => {
    expect(await routeReceivers(configFile, { alertname: 'TierwiseTest', ...labels })).toEqual(receivers);
  });

  it('verifies receivers the way the docs show', async () => {
    const ok = await amtool([
      'config',
      'routes',
      'test',
      `--config.file=${configFile}`,
      '--verify.receivers=phone,mail',
      'severity=critical',
    ]);
    expect(ok.code).toBe(0);
    const wrong = await amtool([
      'config',
      'routes',
      'test',
      `--config.file=${configFile}`,
      '--verify.receivers=phone',
      'severity=critical',
    ]);
    expect(wrong.code).toBe(1);
  });

  it('sends everything to the null receiver when no receiver is configured', async () => {
    const none = await write(
      'routes-none',
      alertingConfigSchema.parse({ schedules: { n: { times: [{ start: '01:00', end: '02:00' }] } } }),
    );
    expect(await routeReceivers(none, { severity: 'critical', alertname: 'TierwiseTargetDown' })).toEqual([
      'null',
    ]);
    expect(await routeReceivers(none, { alertname: 'TierwiseTargetDown', power_schedule: 'n' })).toEqual([
      'null',
    ]);
  });
});

interface RouteNode {
  receiver?: string;
  matchers?: string[];
  mute_time_intervals?: string[];
  routes?: RouteNode[];
}

describe('the generated config', () => {
  it('mutes a scheduled machine down alert on every route that delivers it, and nothing else', async () => {
    const config = alertmanagerConfig(await everyReceiver(tmp)) as { route: RouteNode };
    const routes = config.route.routes ?? [];
    const scheduled = routes.filter((r) => r.matchers?.some((m) => m.startsWith('power_schedule=')));
    expect(scheduled.map((r) => r.matchers)).toEqual([
      ['alertname="TierwiseTargetDown"', 'power_schedule="nights"'],
      ['alertname="TierwiseTargetDown"', 'power_schedule="weekends"'],
    ]);
    for (const s of scheduled) {
      const name = /power_schedule="(.*)"/.exec(s.matchers?.[1] ?? '')?.[1];
      expect(s.routes?.length).toBeGreaterThan(0);
      for (const leaf of s.routes ?? []) expect(leaf.mute_time_intervals).toEqual([name]);
    }
    const others = routes.filter((r) => !scheduled.includes(r));
    for (const r of others) expect(r.mute_time_intervals).toBeUndefined();
  });

  it('holds back a down machine’s other alerts, and a warning while its critical form fires', () => {
    const config = alertmanagerConfig(alertingConfigSchema.parse({})) as { inhibit_rules: unknown[] };
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['alertname="TierwiseTargetDown"'],
        target_matchers: ['alertname!="TierwiseTargetDown"'],
        equal: ['instance'],
      },
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'instance'],
      },
    ]);
  });

  it('splits a window past midnight the way Alertmanager needs, in the schedule’s time zone', async () => {
    const text = await readFile(await write('tz', await everyReceiver(tmp)), 'utf8');
    const config = parse(text) as { time_intervals: { name: string; time_intervals: unknown[] }[] };
    expect(config.time_intervals).toEqual([
      {
        name: 'nights',
        time_intervals: [
          { times: [{ start_time: '23:00', end_time: '24:00' }], location: 'Europe/London' },
          { times: [{ start_time: '00:00', end_time: '07:00' }], location: 'Europe/London' },
        ],
      },
      {
        name: 'weekends',
        time_intervals: [
          {
            weekdays: ['sunday:monday', 'friday:saturday'],
            times: [{ start_time: '18:00', end_time: '24:00' }],
            location: 'America/New_York',
          },
          {
            weekdays: ['sunday:tuesday', 'saturday'],
            times: [{ start_time: '00:00', end_time: '09:30' }],
            location: 'America/New_York',
          },
        ],
      },
    ]);
  });

  it('puts the ntfy template and priority in the topic URL, caps its alerts, and reads every secret from its file', async () => {
    const text = JSON.stringify(alertmanagerConfig(await everyReceiver(tmp)));
    expect(text).toContain('"url":"https://ntfy.sh/homelab?template=alertmanager&priority=urgent"');
    expect(text).toContain(
      '"url":"https://ntfy.example.org/homelab?x=1&template=alertmanager","send_resolved":true,"max_alerts":3}',
    );
    for (const secret of ['tk_x', '"pw"', 'webhooks/1/x']) expect(text).not.toContain(secret);
    for (const key of ['credentials_file', 'auth_password_file', 'api_url_file', 'password_file'])
      expect(text).toContain(`"${key}":"${tmp}`);
  });
});
