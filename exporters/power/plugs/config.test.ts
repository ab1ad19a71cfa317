import { describe, expect, it } from 'vitest';
import { httpTarget, plugsConfigSchema, tcpTarget } from './config.ts';

function problems(input: unknown): string[] {
  const result = plugsConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('plugsConfigSchema (agent.power.plugs)', () => {
  it('fills the defaults and splits a plug among machines', () => {
    const plugs = plugsConfigSchema.parse([
      { name: 'desk', kind: 'shelly-rpc', address: '192.168.1.20', machines: ['gpu-box'] },
      {
        name: 'rack',
        kind: 'tasmota',
        address: 'http://rack-plug.lan:8080',
        channel: 1,
        username: 'admin',
        password_file: '/etc/tierwise/rack.pass',
        machines: [{ name: 'nas', share: 0.5 }, 'pi4-a', 'pi4-b'],
        poll_seconds: 5,
        timeout_seconds: 1.5,
      },
      { name: 'tv', kind: 'kasa', address: '192.168.1.30' },
    ]);
    expect(plugs).toEqual([
      {
        name: 'desk',
        kind: 'shelly-rpc',
        address: '192.168.1.20',
        machines: [{ name: 'gpu-box', share: 1 }],
        poll_seconds: 10,
        timeout_seconds: 2,
      },
      {
        name: 'rack',
        kind: 'tasmota',
        address: 'http://rack-plug.lan:8080',
        channel: '1',
        username: 'admin',
        password_file: '/etc/tierwise/rack.pass',
        machines: [
          { name: 'nas', share: 0.5 },
          { name: 'pi4-a', share: 0.25 },
          { name: 'pi4-b', share: 0.25 },
        ],
        poll_seconds: 5,
        timeout_seconds: 1.5,
      },
      {
        name: 'tv',
        kind: 'kasa',
        address: '192.168.1.30',
        machines: [],
        poll_seconds: 10,
        timeout_seconds: 2,
      },
    ]);
    expect(plugsConfigSchema.parse(undefined)).toEqual([]);
  });

  it('names unknown keys and bad values', () => {
    expect(problems([{ name: 'x', kind: 'shelly', address: 'h', pol_seconds: 5 }])).toEqual([
      expect.stringMatching(
        /^0\.kind: Invalid option: expected one of "shelly-gen1"\|"shelly-rpc"\|"tasmota"\|"kasa"/,
      ),
      '0: Unrecognized key: "pol_seconds"',
    ]);
    expect(problems([{ name: 'x', kind: 'kasa', address: 'h', timeout_seconds: 0 }])).toEqual([
      expect.stringMatching(/^0\.timeout_seconds: Too small/),
    ]);
  });

  it('refuses what a kind cannot do', () => {
    expect(problems([{ name: 'k', kind: 'kasa', address: 'h', channel: 1, password_file: '/p' }])).toEqual([
      '0.channel: Kasa plugs have one channel: leave channel out',
      "0.password_file: Kasa's local protocol has no credentials: leave username and password_file out",
    ]);
    expect(
      problems([{ name: 's', kind: 'shelly-rpc', address: 'h', username: 'bob', password_file: '/p' }]),
    ).toEqual(["0.username: Shelly Gen2+ devices have one user, 'admin': leave username out"]);
    expect(problems([{ name: 's', kind: 'shelly-gen1', address: 'h', username: 'bob' }])).toEqual([
      '0.password_file: username given without password_file',
    ]);
  });

  it('checks addresses without repeating credentials', () => {
    expect(problems([{ name: 'k', kind: 'kasa', address: 'http://plug:9999' }])).toEqual([
      "0.address: 'http://plug:9999': expected host or host:port",
    ]);
    expect(problems([{ name: 's', kind: 'shelly-gen1', address: 'ftp://plug' }])).toEqual([
      "0.address: 'ftp://plug': expected http:// or https://, got ftp://",
    ]);
    expect(problems([{ name: 's', kind: 'shelly-gen1', address: 'http://admin:secret@plug' }])).toEqual([
      '0.address: put credentials in username and password_file, not the address',
    ]);
    expect(problems([{ name: 's', kind: 'tasmota', address: 'plug:99999' }])).toEqual([
      "0.address: 'plug:99999': not a valid host[:port] or URL",
    ]);
  });

  it('checks shares and names', () => {
    expect(
      problems([
        {
          name: 'p',
          kind: 'kasa',
          address: 'h',
          machines: [
            { name: 'a', share: 0.7 },
            { name: 'b', share: 0.6 },
          ],
        },
      ]),
    ).toEqual(['0.machines: the shares add up to 1.3, above 1']);
    expect(
      problems([{ name: 'p', kind: 'kasa', address: 'h', machines: [{ name: 'a', share: 1 }, 'b'] }]),
    ).toEqual([
      '0.machines: the explicit shares add up to 1, leaving nothing for the machines listed without one',
    ]);
    expect(problems([{ name: 'p', kind: 'kasa', address: 'h', machines: ['a', 'a'] }])).toEqual([
      "0.machines: machine 'a' is listed twice",
    ]);
    expect(
      problems([{ name: 'p', kind: 'kasa', address: 'h', machines: [{ name: 'a', share: 0 }] }]),
    ).toEqual(['0.machines.0.share: Too small: expected number to be >0']);
    expect(problems([{ name: 'p', kind: 'kasa', address: 'h', machines: [5] }])).toEqual([
      '0.machines.0: expected a machine name, or { name, share } with a share above 0 and at most 1',
    ]);
    expect(
      problems([
        { name: 'p', kind: 'kasa', address: 'h' },
        { name: 'p', kind: 'kasa', address: 'h2' },
      ]),
    ).toEqual(["1.name: plug name 'p' is used twice"]);
  });
});

describe('addresses', () => {
  it('parses HTTP plug addresses', () => {
    expect(httpTarget('192.168.1.20')).toEqual({
      protocol: 'http:',
      hostname: '192.168.1.20',
      port: 80,
      prefix: '',
    });
    expect(httpTarget('plug.lan:8080')).toEqual({
      protocol: 'http:',
      hostname: 'plug.lan',
      port: 8080,
      prefix: '',
    });
    expect(httpTarget('https://proxy.lan/plugs/desk/')).toEqual({
      protocol: 'https:',
      hostname: 'proxy.lan',
      port: 443,
      prefix: '/plugs/desk',
    });
    expect(httpTarget('[fd00::20]:80').hostname).toBe('fd00::20');
  });

  it('parses Kasa addresses, port 9999 by default', () => {
    expect(tcpTarget('192.168.1.30')).toEqual({ host: '192.168.1.30', port: 9999 });
    expect(tcpTarget('kasa.lan:10000')).toEqual({ host: 'kasa.lan', port: 10000 });
    expect(tcpTarget('[fd00::30]')).toEqual({ host: 'fd00::30', port: 9999 });
  });
});
