import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config.ts';
import { selfCommand, stackPaths, stackServices } from './services.ts';
import { urlBlock } from './stack.ts';

const paths = stackPaths('/srv/tierwise-data');
const input = {
  paths,
  alertmanagerConfig: '/srv/tierwise-data/config/alertmanager.yml',
  binaries: { prometheus: '/usr/bin/prometheus', alertmanager: '/usr/bin/prometheus-alertmanager' },
  self: { command: '/usr/bin/node', args: ['/opt/tierwise/dist/tierwise.mjs'] },
  configFile: '/etc/tierwise.yml',
  logLevel: 'info',
};
const withTarget = parseConfig(
  'probe: { targets: [{ name: p2, host: 10.0.0.2, user: u, key_file: /k }] }\nstack: { retention: 30d }',
  't.yml',
);

describe('the programs of the stack', () => {
  it('runs Prometheus and Alertmanager on the data directory, and tierwise again for the agent and probe', () => {
    const services = stackServices(withTarget, input);
    expect(services.map((s) => [s.name, s.command, s.args])).toEqual([
      [
        'prometheus',
        '/usr/bin/prometheus',
        [
          '--config.file=/srv/tierwise-data/config/prometheus.yml',
          '--storage.tsdb.path=/srv/tierwise-data/prometheus',
          '--storage.tsdb.retention.time=30d',
          '--web.listen-address=127.0.0.1:9090',
          '--log.level=warn',
        ],
      ],
      [
        'alertmanager',
        '/usr/bin/prometheus-alertmanager',
        [
          '--config.file=/srv/tierwise-data/config/alertmanager.yml',
          '--storage.path=/srv/tierwise-data/alertmanager',
          '--web.listen-address=127.0.0.1:9093',
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
      ],
      [
        'agent',
        '/usr/bin/node',
        [
          '/opt/tierwise/dist/tierwise.mjs',
          'agent',
          '--config=/etc/tierwise.yml',
          '--web.listen-address=127.0.0.1:10090',
          '--log.level=info',
        ],
      ],
      [
        'probe',
        '/usr/bin/node',
        [
          '/opt/tierwise/dist/tierwise.mjs',
          'probe',
          '--config=/etc/tierwise.yml',
          '--web.listen-address=127.0.0.1:10091',
          '--log.level=info',
        ],
      ],
    ]);
    expect(services.map((s) => s.readyUrl)).toEqual([
      'http://127.0.0.1:9090/-/ready',
      'http://127.0.0.1:9093/-/ready',
      'http://127.0.0.1:10090/healthz',
      'http://127.0.0.1:10091/healthz',
    ]);
  });

  it('runs no probe without targets, and passes no --config without a file', () => {
    const services = stackServices(parseConfig('', 'empty.yml'), {
      ...input,
      configFile: undefined,
      logLevel: 'debug',
    });
    expect(services.map((s) => s.name)).toEqual(['prometheus', 'alertmanager', 'agent']);
    expect(services.find((s) => s.name === 'agent')?.args).toEqual([
      '/opt/tierwise/dist/tierwise.mjs',
      'agent',
      '--web.listen-address=127.0.0.1:10090',
      '--log.level=debug',
    ]);
    expect(services.find((s) => s.name === 'prometheus')?.args).toContain('--log.level=debug');
  });

  it("runs the collector against the stack's Prometheus when there is a tariff", () => {
    const priced = parseConfig(
      'tariff: { price_per_kwh: 0.3 }\nstack: { listen: { collector: ":10192" } }',
      't.yml',
    );
    const collector = stackServices(priced, input).find((s) => s.name === 'collector');
    expect(collector?.args).toEqual([
      '/opt/tierwise/dist/tierwise.mjs',
      'collector',
      '--config=/etc/tierwise.yml',
      '--prometheus=http://127.0.0.1:9090/',
      // Its weekly reports live with the rest of the stack's data.
      `--report.out-dir=${path.join(paths.dataDir, 'reports')}`,
      '--web.listen-address=:10192',
      '--log.level=info',
    ]);
    expect(collector?.readyUrl).toBe('http://127.0.0.1:10192/healthz');
    expect(stackServices(withTarget, input).map((s) => s.name)).not.toContain('collector');
  });

  it('prints where each part answers', () => {
    expect(urlBlock(stackServices(withTarget, input), paths.dataDir)).toBe(
      [
        '',
        'tierwise stack is up',
        '  Prometheus    http://127.0.0.1:9090/',
        '  Alertmanager  http://127.0.0.1:9093/',
        '  agent         http://127.0.0.1:10090/',
        '  probe         http://127.0.0.1:10091/',
        '  data          /srv/tierwise-data',
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
  });
});

describe('running tierwise again as a child', () => {
  it('runs the bundle with node alone', () => {
    expect(
      selfCommand({
        execPath: '/usr/bin/node',
        execArgv: [],
        argv: ['/usr/bin/node', '/opt/tw/bin/tierwise.js', 'stack'],
      }),
    ).toEqual({ command: '/usr/bin/node', args: ['/opt/tw/bin/tierwise.js'] });
  });

  it("keeps tsx's loader flags for the TypeScript sources, and memory caps, but not a debugger's", () => {
    const execArgv = [
      '--require',
      '/r/node_modules/tsx/dist/preflight.cjs',
      '--import',
      'file:///r/node_modules/tsx/dist/loader.mjs',
      '--inspect=9229',
      '--max-old-space-size=24',
    ];
    expect(selfCommand({ execPath: '/n', execArgv, argv: ['/n', '/r/cli/entry.ts', 'stack'] }).args).toEqual([
      '--require',
      '/r/node_modules/tsx/dist/preflight.cjs',
      '--import',
      'file:///r/node_modules/tsx/dist/loader.mjs',
      '--max-old-space-size=24',
      '/r/cli/entry.ts',
    ]);
  });
});
