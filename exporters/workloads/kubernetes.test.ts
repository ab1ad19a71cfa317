import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempTree } from '../../test/support/fixtures.ts';
import { type ReplayMode, readWorkloadFixture, startReplayServer } from '../../test/support/replay-server.ts';
import { makeSelfSignedCert } from '../../test/support/tls.ts';
import {
  inClusterConfig,
  listPodsOnNode,
  type PodOwner,
  parseQuantity,
  type RawPod,
  resolveOwner,
} from './kubernetes.ts';

const RECORDED = readWorkloadFixture('kubernetes_podlist_datadog-1.8-2.trimmed.json');
let tls: { cert: string; key: string };

beforeAll(async () => {
  const made = await makeSelfSignedCert();
  tls = { cert: await readFile(made.cert, 'utf8'), key: await readFile(made.key, 'utf8') };
});

async function apiServer(mode: ReplayMode, body = RECORDED) {
  const server = await startReplayServer({ routes: { '/api/v1/pods': body }, mode, listen: { tls } });
  const access = { apiUrl: server.url ?? '', token: 'sa-token', ca: tls.cert, nodeName: 'my-node-name' };
  return { server, access };
}

describe('listPodsOnNode', () => {
  it('lists the pods of the node with the service account token and resolves their owners', async () => {
    const { server, access } = await apiServer('replay');
    const pods = await listPodsOnNode({ ...access, timeoutMs: 2000 });

    const [request] = server.requests;
    expect(request?.url).toBe('/api/v1/pods?fieldSelector=spec.nodeName%3Dmy-node-name');
    expect(request?.headers.authorization).toBe('Bearer sa-token');
    expect(pods.map((p) => [p.name, p.workload])).toEqual([
      ['kube-apiserver-my-node-name', 'kube-system/Pod/kube-apiserver-my-node-name'],
      ['kube-proxy-rnd5q', 'kube-system/DaemonSet/kube-proxy'],
      // Kubernetes 1.8 wrote pod-template-hash in decimal and the ReplicaSet name safe-encoded.
      ['nginx-99d8b564-4r4vq', 'default/Deployment/nginx'],
      ['redis-75586d7d7c-jrm7j', 'default/Deployment/redis'],
      [
        'kube-proxy-gke-haissam-default-pool-be5066f1-wnvn',
        'kube-system/Pod/kube-proxy-gke-haissam-default-pool-be5066f1-wnvn',
      ],
    ]);
    expect(pods[0]?.uid).toBe('0a8863810b43d4d891fab0af80e28e4c');
    expect(pods[0]?.containers.map((c) => [c.name, c.image, c.requests, c.limits])).toEqual([
      ['etcd', 'quay.io/coreos/etcd:latest', {}, {}],
      ['kube-apiserver', 'gcr.io/google_containers/hyperkube:v1.8.3', {}, {}],
    ]);
    expect(pods[4]?.containers[0]?.requests).toEqual({ cpu: 0.1 });
    expect(pods[1]).toMatchObject({
      namespace: 'kube-system',
      owner: { kind: 'DaemonSet', name: 'kube-proxy' },
      labels: { app: 'kube-proxy', 'controller-revision-hash': '3354300778', 'pod-template-generation': '1' },
      annotations: {},
      invalidAnnotations: [],
    });
  });

  it('names Job, CronJob, StatefulSet and Deployment pods of a recorded Kubernetes 1.28 node by their owners', async () => {
    const { access } = await apiServer(
      'replay',
      readWorkloadFixture('kubernetes_podlist_nri-kubernetes-1.28.json'),
    );
    const pods = await listPodsOnNode({ ...access, timeoutMs: 2000 });
    const byName = new Map(pods.map((p) => [p.name, p]));
    const workloadOf = (name: string) => byName.get(name)?.workload;

    // The Job's number is its schedule in minutes since the epoch (28297000 = 2023-10-20T09:20Z), and
    // the pod was made after it: a CronJob's run, named by the CronJob.
    expect(workloadOf('e2e-cronjob-28297000-5bpxp')).toBe('scraper/CronJob/e2e-cronjob');
    for (const run of ['ptpwn', 'ggd8k', 'c6qqj', 'h5xj6'])
      expect(workloadOf(`e2e-failjob-${run}`)).toBe('scraper/Job/e2e-failjob');
    expect(workloadOf('e2e-statefulset-0')).toBe('scraper/StatefulSet/e2e-statefulset');
    expect(workloadOf('e2e-statefulset-1')).toBe('scraper/StatefulSet/e2e-statefulset');
    expect(workloadOf('e2e-depl-6cb696bdf8-zcvm9')).toBe('scraper/Deployment/e2e-depl');
    expect(workloadOf('e2e-depl-6cb696bdf8-98n7b')).toBe('scraper/Deployment/e2e-depl');
    expect(workloadOf('coredns-5dd5756b68-vpkt6')).toBe('kube-system/Deployment/coredns');
    expect(workloadOf('kindnet-2pg84')).toBe('kube-system/DaemonSet/kindnet');
    // Static pods have no owner but a stable name: kubelet's mirror of a manifest on this node.
    expect(workloadOf('etcd-datagen-1-28')).toBe('kube-system/Pod/etcd-datagen-1-28');
    // No pod with an owner is named by its own (random) name.
    for (const p of pods.filter((p) => p.owner.kind !== 'Pod')) expect(p.workload).not.toContain(p.name);

    expect(byName.get('e2e-cronjob-28297000-5bpxp')?.containers[0]).toMatchObject({
      image: 'perl:5.34.0',
      requests: { cpu: 0.4, memory: 50 * 2 ** 20 },
      limits: { cpu: 0.8, memory: 100 * 2 ** 20 },
    });
  });

  it('says the service account lacks RBAC when the API server answers 403', async () => {
    const { access } = await apiServer('forbidden');
    await expect(listPodsOnNode({ ...access, timeoutMs: 2000 })).rejects.toThrow(
      /HTTP 403: the service account lacks RBAC to list pods .*cannot list resource/,
    );
  });

  it('times out within the limit when the API server never answers', async () => {
    const { access } = await apiServer('hang');
    const started = Date.now();
    await expect(listPodsOnNode({ ...access, timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('rejects garbage and a list whose items lack what identity needs', async () => {
    const garbage = await apiServer('replay', RECORDED.slice(0, 1000));
    await expect(listPodsOnNode({ ...garbage.access, timeoutMs: 2000 })).rejects.toThrow(
      /the answer is not JSON/,
    );
    const noUid = await apiServer(
      'replay',
      '{"kind":"PodList","items":[{"metadata":{"name":"x","namespace":"y"},"spec":{"containers":[]}}]}',
    );
    await expect(listPodsOnNode({ ...noUid.access, timeoutMs: 2000 })).rejects.toThrow(
      /items\.0\.metadata\.uid/,
    );
  });

  it('refuses a server whose certificate the given CA did not sign', async () => {
    const { access } = await apiServer('replay');
    await expect(listPodsOnNode({ ...access, ca: undefined, timeoutMs: 2000 })).rejects.toThrow(
      /certificate/,
    );
  });
});

function pod(metadata: Partial<RawPod['metadata']>): RawPod {
  return { metadata: { uid: 'u', name: 'p', namespace: 'ns', ...metadata }, spec: { containers: [] } };
}
const owned = (kind: string, name: string) => [{ kind, name, controller: true }];

describe('resolveOwner', () => {
  it.each<[string, RawPod, PodOwner]>([
    [
      'Deployment (label and name carry the same hash)',
      pod({
        ownerReferences: owned('ReplicaSet', 'web-7d4b9c8f6d'),
        labels: { 'pod-template-hash': '7d4b9c8f6d' },
      }),
      { kind: 'Deployment', name: 'web' },
    ],
    [
      'a ReplicaSet of its own',
      pod({ ownerReferences: owned('ReplicaSet', 'frontend'), labels: { tier: 'frontend' } }),
      { kind: 'ReplicaSet', name: 'frontend' },
    ],
    [
      'StatefulSet',
      pod({ name: 'postgres-0', ownerReferences: owned('StatefulSet', 'postgres') }),
      { kind: 'StatefulSet', name: 'postgres' },
    ],
    [
      'CronJob run (29071930 min = 2025-04-10T20:10Z)',
      pod({
        ownerReferences: owned('Job', 'vis-intel-scraper-et-29071930'),
        creationTimestamp: '2025-04-10T20:10:03Z',
      }),
      { kind: 'CronJob', name: 'vis-intel-scraper-et' },
    ],
    [
      'a Job whose number is not a past schedule',
      pod({ ownerReferences: owned('Job', 'migrate-20240101'), creationTimestamp: '2025-04-10T20:10:03Z' }),
      { kind: 'Job', name: 'migrate-20240101' },
    ],
    [
      'a Job named after a future minute',
      pod({ ownerReferences: owned('Job', 'backup-29999999'), creationTimestamp: '2025-04-10T20:10:03Z' }),
      { kind: 'Job', name: 'backup-29999999' },
    ],
    [
      'a Job without creation time',
      pod({ ownerReferences: owned('Job', 'vis-intel-scraper-et-29071930') }),
      { kind: 'Job', name: 'vis-intel-scraper-et-29071930' },
    ],
    [
      'mirror pod owned by its Node',
      pod({ name: 'etcd-cp1', ownerReferences: owned('Node', 'cp1') }),
      { kind: 'Pod', name: 'etcd-cp1' },
    ],
    ['bare pod', pod({ name: 'debug-shell' }), { kind: 'Pod', name: 'debug-shell' }],
    [
      'the controller among several owners',
      pod({ ownerReferences: [{ kind: 'ConfigMap', name: 'x' }, ...owned('DaemonSet', 'node-exporter')] }),
      { kind: 'DaemonSet', name: 'node-exporter' },
    ],
  ])('%s', (_what, raw, want) => {
    expect(resolveOwner(raw)).toEqual(want);
  });
});

describe('parseQuantity', () => {
  it.each<[string, number]>([
    ['250m', 0.25],
    ['1', 1],
    ['0.5', 0.5],
    ['1500000u', 1.5],
    ['512Mi', 512 * 2 ** 20],
    ['1G', 1e9],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['128974848', 128974848],
    ['129e6', 129e6],
    ['64k', 64000],
  ])('%s', (text, want) => {
    expect(parseQuantity(text, 'memory')).toBeCloseTo(want, 9);
  });

  it('throws on what is not a quantity', () => {
    for (const text of ['', 'Mi', '1 Gi', '1gb', '1KiB', 'abc']) {
      expect(() => parseQuantity(text, 'pod a/b container c memory')).toThrow(
        `pod a/b container c memory: "${text}" is not a Kubernetes quantity`,
      );
    }
  });
});

describe('inClusterConfig', () => {
  const mount = 'var/run/secrets/kubernetes.io/serviceaccount';
  const env = { KUBERNETES_SERVICE_HOST: '10.43.0.1', KUBERNETES_SERVICE_PORT: '443' };

  it('reads the service account mount and the service environment', async () => {
    const root = await tempTree('sa', {
      [`${mount}/token`]: 'eyJhbGciOi.token\n',
      [`${mount}/ca.crt`]: '-----BEGIN CERTIFICATE-----\n',
      [`${mount}/namespace`]: 'monitoring',
    });
    expect(await inClusterConfig(root, env)).toEqual({
      apiUrl: 'https://10.43.0.1:443',
      token: 'eyJhbGciOi.token',
      ca: '-----BEGIN CERTIFICATE-----\n',
      namespace: 'monitoring',
    });
  });

  it('brackets an IPv6 service address', async () => {
    const root = await tempTree('sa', { [`${mount}/token`]: 't' });
    const config = await inClusterConfig(root, {
      KUBERNETES_SERVICE_HOST: 'fd00::1',
      KUBERNETES_SERVICE_PORT: '443',
    });
    expect(config.apiUrl).toBe('https://[fd00::1]:443');
  });

  it('throws outside a pod and without a token', async () => {
    await expect(inClusterConfig('/', {})).rejects.toThrow(/not running in a Kubernetes pod/);
    const root = await tempTree('sa', {});
    await expect(inClusterConfig(root, env)).rejects.toThrow(/no service account token: ENOENT/);
  });
});
