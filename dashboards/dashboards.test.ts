import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DashboardExport } from './dashboard.ts';
import { dashboardFiles, dashboards } from './index.ts';
import { DATASOURCE } from './panels.ts';
import { PROVISIONED_DATASOURCE_UID } from './variables.ts';

const PROVISIONING = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'deploy',
  'grafana',
  'provisioning',
);

interface PanelJson {
  type: string;
  id?: number;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { refId?: string; expr?: string; datasource?: { uid?: string } }[];
  fieldConfig?: { defaults?: { unit?: string } };
}

const panelsOf = (d: DashboardExport) => (d.panels ?? []) as PanelJson[];

describe('the dashboards', () => {
  const all = dashboards();

  it('match their committed JSON (npm run generate rewrites it)', async () => {
    for (const f of dashboardFiles()) {
      expect(await readFile(f.path, 'utf8'), path.basename(f.path)).toBe(f.text);
    }
  });

  it('keep a stable uid each, one file per dashboard', () => {
    expect(all.map((d) => [d.file, d.dashboard.uid])).toEqual([
      ['overview.json', 'tierwise-overview'],
      ['machine.json', 'tierwise-machine'],
      ['gpu.json', 'tierwise-gpu'],
      ['workloads.json', 'tierwise-workloads'],
      ['placement.json', 'tierwise-placement'],
      ['self.json', 'tierwise-self'],
    ]);
  });

  it('import into Grafana 10 and later: classic JSON with __inputs, __requires and no instance id', () => {
    for (const { dashboard: d } of all) {
      expect(d.schemaVersion, d.uid).toBeGreaterThanOrEqual(39);
      expect(d.id, d.uid).toBeNull();
      expect(
        d.__inputs.map((i) => [i.name, i.type, i.pluginId]),
        d.uid,
      ).toEqual([['DS_PROMETHEUS', 'datasource', 'prometheus']]);
      const requires = d.__requires.map((r) => `${r.type}:${r.id}`);
      expect(requires, d.uid).toEqual(expect.arrayContaining(['grafana:grafana', 'datasource:prometheus']));
      const used = new Set(panelsOf(d).map((p) => p.type));
      used.delete('row');
      expect(new Set(requires.filter((r) => r.startsWith('panel:')).map((r) => r.slice(6))), d.uid).toEqual(
        used,
      );
    }
  });

  it('read Prometheus through the datasource variable, which defaults to the provisioned one', () => {
    for (const { dashboard: d } of all) {
      const variables = d.templating.list ?? [];
      expect(variables[0], d.uid).toMatchObject({
        type: 'datasource',
        name: 'datasource',
        query: 'prometheus',
        current: { value: 'prometheus' },
      });
      for (const v of variables.filter((x) => x.type === 'query'))
        expect(v.datasource, `${d.uid} $${v.name}`).toEqual(DATASOURCE);
      for (const p of panelsOf(d).filter((x) => x.type !== 'row')) {
        expect(p.datasource, `${d.uid} ${p.title}`).toEqual(DATASOURCE);
        for (const t of p.targets ?? []) expect(t.datasource, `${d.uid} ${p.title}`).toEqual(DATASOURCE);
      }
    }
  });

  it('give every panel a unique id and title, a description, a unit and at least one query', () => {
    for (const { dashboard: d } of all) {
      const panels = panelsOf(d);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
      expect(
        ids.every((id) => typeof id === 'number' && id > 0),
        d.uid,
      ).toBe(true);
      const content = panels.filter((p) => p.type !== 'row');
      const titles = content.map((p) => p.title);
      expect(new Set(titles).size, d.uid).toBe(titles.length);
      for (const p of content) {
        const name = `${d.uid} ${p.title}`;
        expect(p.description?.length, name).toBeGreaterThan(10);
        expect(p.fieldConfig?.defaults?.unit, name).toMatch(/^\w+$/);
        expect(p.targets?.length, name).toBeGreaterThan(0);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, name).toBe(refIds.length);
        for (const t of p.targets ?? []) expect(t.expr, name).toMatch(/\S/);
      }
    }
  });

  it('name only variables the dashboard defines (or Grafana provides)', () => {
    const builtIn = new Set(['__rate_interval', '__interval', '__range', '__range_s']);
    for (const { dashboard: d } of all) {
      const defined = new Set([...(d.templating.list ?? []).map((v) => v.name), ...builtIn]);
      const exprs = [
        ...panelsOf(d).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')),
        ...(d.templating.list ?? []).map((v) => String(v.query ?? '')),
      ];
      // Grafana's legend templates ({{label}}) and PromQL's label_replace `$1` are not variables.
      const named = exprs.flatMap((e) => [...e.matchAll(/\$\{?([A-Za-z_]\w*)/g)].map((m) => m[1]));
      expect(
        named.filter((n) => !defined.has(n ?? '')),
        d.uid,
      ).toEqual([]);
    }
  });

  it('are provisioned from the folder the provider reads, with the data source their variable names', async () => {
    const read = async (file: string) => parse(await readFile(path.join(PROVISIONING, file), 'utf8'));
    const { datasources } = await read('datasources/prometheus.yml');
    expect(datasources).toEqual([
      expect.objectContaining({ uid: PROVISIONED_DATASOURCE_UID, type: 'prometheus', isDefault: true }),
    ]);
    const { providers } = await read('dashboards/tierwise.yml');
    expect(providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: '/var/lib/grafana/dashboards/tierwise' }),
      }),
    ]);
  });
});
