import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../common/config.ts';
import { ROOT } from './files.ts';
import { type KubernetesObject, schemaProblem } from './kubernetes-schemas.ts';
import { K3S_PROBE_SHARDS } from './probe-shards.ts';

// Every overlay rendered by the kubectl on PATH (CI: Debian 12's kubectl 1.20 with kustomize v2.0.3;
// kubectl 1.32 with kustomize v5.5 renders the same objects), then checked object by object.

const OVERLAYS = path.join(ROOT, 'deploy', 'k3s', 'overlays');
/** Created by the owner with kubectl, never committed (docs/deploy.md). */
const OWNER_SECRETS = new Set(['tierwise-ssh', 'tierwise-secrets']);
const IMAGE = 'registry.lan:5000/tierwise:0.1.0';
const THIRD_PARTY = /^(prom\/prometheus|prom\/alertmanager|grafana\/grafana-oss):/;
const WHY_ROOT = 'tierwise.io/runs-as-root';

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; readOnly?: boolean }[];
  env?: { valueFrom?: { configMapKeyRef?: { name: string } } }[];
}

interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: {
    name: string;
    hostPath?: { path: string };
    configMap?: { name: string };
    secret?: { secretName: string };
  }[];
}

interface PodTemplate {
  metadata?: { annotations?: Record<string, string> };
  spec: PodSpec;
}

type Obj = KubernetesObject & Record<string, unknown>;

function render(overlay: string): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', path.join(OVERLAYS, overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out).map((d) => d.toJSON() as Obj);
}

function podTemplate(o: Obj): PodTemplate | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (o.kind === 'CronJob')
    return ((spec?.jobTemplate as { spec: { template: PodTemplate } }) ?? undefined)?.spec.template;
  return ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)
    ? (spec?.template as PodTemplate)
    : undefined;
}

/** The hashmod modulus of the probe job, from whichever flavour of scrape config the overlay has. */
function probeModulus(objects: Obj[]): number | undefined {
  type Step = { action?: string; modulus?: number };
  const hashmod = (steps: Step[]) => steps.find((r) => r.action?.toLowerCase() === 'hashmod')?.modulus;
  const scrapeConfig = objects.find((o) => o.kind === 'ScrapeConfig') as
    | { spec: { relabelings: Step[] } }
    | undefined;
  if (scrapeConfig) return hashmod(scrapeConfig.spec.relabelings);
  const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config') as
    | { data: Record<string, string> }
    | undefined;
  const config = parse(map?.data['prometheus.yml'] ?? '{}') as {
    scrape_configs?: { job_name: string; relabel_configs: Step[] }[];
  };
  const job = config.scrape_configs?.find((j) => j.job_name === 'tierwise-probe');
  return job && hashmod(job.relabel_configs);
}

const overlays = readdirSync(OVERLAYS);

describe.each(overlays)('deploy/k3s/overlays/%s', (overlay) => {
  const objects = render(overlay);
  const workloads = objects.flatMap((o) => {
    const t = podTemplate(o);
    return t ? [{ o, t }] : [];
  });
  const named = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);

  it('renders objects that all pass their OpenAPI schema', () => {
    expect(objects.length).toBeGreaterThan(15);
    expect(
      objects.map((o) => [`${o.kind}/${o.metadata.name}`, schemaProblem(o)]).filter(([, p]) => p),
    ).toEqual([]);
  });

  it('puts everything namespaced into the tierwise namespace', () => {
    const cluster = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
    for (const o of objects.filter((x) => !cluster.has(x.kind)))
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('tierwise');
  });

  it('runs no privileged container, each with resources, a read-only root and no capabilities', () => {
    expect(workloads.length).toBeGreaterThan(5);
    for (const { o, t } of workloads)
      for (const c of t.spec.containers) {
        const where = `${o.kind}/${o.metadata.name} ${c.name}`;
        expect(c.securityContext?.privileged, where).not.toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
        expect(c.securityContext?.capabilities, where).toEqual({ drop: ['ALL'] });
        expect(c.resources?.requests?.cpu, where).toBeDefined();
        expect(c.resources?.requests?.memory, where).toBeDefined();
        expect(c.resources?.limits?.memory, where).toBeDefined();
      }
  });

  it('runs as root only where the pod says why, and mounts the host read-only', () => {
    for (const { o, t } of workloads) {
      const where = `${o.kind}/${o.metadata.name}`;
      const nonRoot = t.spec.securityContext?.runAsNonRoot === true;
      const why = t.metadata?.annotations?.[WHY_ROOT];
      expect(nonRoot || (why !== undefined && why.length > 20), where).toBe(true);
      if (nonRoot) expect(why, where).toBeUndefined();
      const hostVolumes = new Set((t.spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name));
      for (const c of t.spec.containers)
        for (const m of c.volumeMounts ?? [])
          if (hostVolumes.has(m.name)) expect(m.readOnly, `${where} ${m.name}`).toBe(true);
    }
  });

  it('gives the agent its node name, the host at /host and every --path.* flag pointing there', () => {
    const agents = workloads.filter(({ o }) => o.kind === 'DaemonSet');
    expect(agents.map(({ o }) => o.metadata.name).sort()).toEqual([
      'tierwise-agent-gpu-box',
      'tierwise-agent-mini-pc',
      'tierwise-agent-pi-cluster',
    ]);
    for (const { t } of agents) {
      const [agent] = t.spec.containers as [Container & { args: string[] }];
      expect(agent.args).toEqual(
        expect.arrayContaining([
          'agent',
          '--path.procfs=/host/proc',
          '--path.sysfs=/host/sys',
          '--path.rootfs=/host/root',
        ]),
      );
      const hostPaths = Object.fromEntries(
        (t.spec.volumes ?? []).filter((v) => v.hostPath).map((v) => [v.name, v.hostPath?.path]),
      );
      expect(hostPaths).toEqual({ proc: '/proc', sys: '/sys', root: '/' });
    }
  });

  it('schedules each tier by its tierwise.io/tier label with a config that names the tier', () => {
    for (const tier of ['gpu-box', 'mini-pc', 'pi-cluster']) {
      const ds = named('DaemonSet', `tierwise-agent-${tier}`);
      const t = podTemplate(ds as Obj) as PodTemplate & { spec: { nodeSelector: Record<string, string> } };
      expect(t.spec.nodeSelector['tierwise.io/tier']).toBe(tier);
      const config = named('ConfigMap', `tierwise-agent-config-${tier}`) as Obj & {
        data: Record<string, string>;
      };
      const file = config.data['tierwise.yml'] as string;
      expect(parseConfig(file, `${tier}/tierwise.yml`).agent.tier).toBe(tier);
    }
    const gpu = podTemplate(named('DaemonSet', 'tierwise-agent-gpu-box') as Obj) as PodTemplate & {
      spec: { runtimeClassName?: string };
    };
    expect(gpu.spec.runtimeClassName).toBe('nvidia');
  });

  it('references only ConfigMaps it renders and the Secrets the owner creates', () => {
    for (const { o, t } of workloads) {
      const where = `${o.kind}/${o.metadata.name}`;
      const maps = [
        ...(t.spec.volumes ?? []).flatMap((v) => (v.configMap ? [v.configMap.name] : [])),
        ...t.spec.containers.flatMap((c) =>
          (c.env ?? []).flatMap((e) => e.valueFrom?.configMapKeyRef?.name ?? []),
        ),
      ];
      for (const m of maps) expect(named('ConfigMap', m), `${where} → ConfigMap ${m}`).toBeDefined();
      for (const v of t.spec.volumes ?? [])
        if (v.secret)
          expect(OWNER_SECRETS.has(v.secret.secretName), `${where} → Secret ${v.secret.secretName}`).toBe(
            true,
          );
      // tierwise's own image as the overlay names it; the others pinned to a release.
      for (const c of t.spec.containers)
        if (THIRD_PARTY.test(c.image)) expect(c.image, where).toMatch(/:v?\d+\.\d+\.\d+$/);
        else expect(c.image, where).toBe(IMAGE);
    }
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('grants only reads, and never Secrets', () => {
    const roles = objects.filter((o) => o.kind === 'ClusterRole') as (Obj & {
      rules: { resources: string[]; verbs: string[] }[];
    })[];
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles)
      for (const rule of r.rules) {
        expect(
          rule.verbs.filter((v) => !['get', 'list', 'watch'].includes(v)),
          r.metadata.name,
        ).toEqual([]);
        expect(rule.resources, r.metadata.name).not.toContain('secrets');
      }
    const agent = roles.find((r) => r.metadata.name === 'tierwise-agent');
    expect(agent?.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
  });

  it('reads a tierwise.yml that parses, and shards the probe over exactly its replicas', () => {
    const config = named('ConfigMap', 'tierwise-config') as Obj & { data: Record<string, string> };
    const parsed = parseConfig(config.data['tierwise.yml'] as string, 'tierwise-config');
    expect(parsed.probe.targets.length).toBeGreaterThan(0);
    const probe = named('StatefulSet', 'tierwise-probe') as Obj & { spec: { replicas: number } };
    expect(probe.spec.replicas).toBe(K3S_PROBE_SHARDS);
    expect(probeModulus(objects)).toBe(probe.spec.replicas);
  });
});

describe('deploy/k3s kustomizations', () => {
  it('are written in kustomize v2.0.3 syntax only (Debian 12 kubectl)', () => {
    const allowed = new Set([
      'namespace',
      'nameSuffix',
      'bases',
      'resources',
      'patchesStrategicMerge',
      'configMapGenerator',
      'generatorOptions',
      'images',
    ]);
    const k3s = path.join(ROOT, 'deploy', 'k3s');
    const files = readdirSync(k3s, { recursive: true, encoding: 'utf8' })
      .filter((f) => path.basename(f) === 'kustomization.yaml')
      .map((f) => path.join(k3s, f));
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      const keys = Object.keys(parse(readFileSync(file, 'utf8')) as object);
      expect(
        keys.filter((k) => !allowed.has(k)),
        file,
      ).toEqual([]);
    }
  });
});
