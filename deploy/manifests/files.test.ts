import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { tempDir } from '../../test/support/fixtures.ts';
import { composeFiles, deployFiles, k3sFiles, ROOT } from './files.ts';

function run(command: string, ...args: string[]) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const committed = (file: string) => readFileSync(file, 'utf8');
const find = (files: { path: string }[], suffix: string) => {
  const f = files.find((x) => x.path.endsWith(suffix));
  if (!f) throw new Error(`no generated ${suffix}`);
  return f.path;
};

describe('generated deployment files', () => {
  it('are committed as the sources generate them (npm run generate)', () => {
    for (const f of deployFiles()) expect(committed(f.path), path.relative(ROOT, f.path)).toBe(f.text);
  });

  it("include the compose project's rules, which promtool accepts", () => {
    const rules = composeFiles().filter((f) => f.path.includes(`${path.sep}rules${path.sep}`));
    expect(rules.length).toBe(3);
    const r = run('promtool', 'check', 'rules', ...rules.map((f) => f.path));
    expect(r.status, r.output).toBe(0);
  });

  it("include the compose project's prometheus.yml and alertmanager.yml, both valid", () => {
    const prom = run('promtool', 'check', 'config', '--syntax-only', find(composeFiles(), 'prometheus.yml'));
    expect(prom.status, prom.output).toBe(0);
    const am = run('amtool', 'check-config', find(composeFiles(), 'alertmanager.yml'));
    expect(am.status, am.output).toBe(0);
  });

  it('give K3s a prometheus.yml promtool accepts, kubernetes_sd aside (not in Debian)', async () => {
    const [map] = parseAllDocuments(committed(find(k3sFiles(), 'prometheus-config.yaml'))).map((d) =>
      d.toJSON(),
    ) as [{ data: Record<string, string> }];
    const config = parse(map.data['prometheus.yml'] as string) as {
      scrape_configs: Record<string, unknown>[];
    };
    const kubernetes = config.scrape_configs.filter((j) => 'kubernetes_sd_configs' in j);
    expect(kubernetes.map((j) => j.job_name)).toEqual([
      'tierwise-agent',
      'tierwise-probe-self',
      'tierwise-collector',
      'kubelet-cadvisor',
    ]);
    const file = path.join(await tempDir('k3s-prometheus'), 'prometheus.yml');
    writeFileSync(
      file,
      stringify({ ...config, scrape_configs: config.scrape_configs.filter((j) => !kubernetes.includes(j)) }),
    );
    const r = run('promtool', 'check', 'config', '--syntax-only', file);
    expect(r.status, r.output).toBe(0);
  });
});
