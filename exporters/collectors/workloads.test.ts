import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../common/config.ts';
import { contextFor, fixturePath, procTrees, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { readWorkloadFixture, startReplayServer } from '../../test/support/replay-server.ts';
import { makeSelfSignedCert } from '../../test/support/tls.ts';
import { ImagePlatforms, inspectImagePlatforms, listContainers } from '../workloads/docker.ts';
import { indexContainers, indexPods } from '../workloads/engines.ts';
import { listPodsOnNode } from '../workloads/kubernetes.ts';
import { CachedResolver } from '../workloads/resolver.ts';
import { createWorkloadsCollector, FULL_READ_EVERY_SCRAPES, HOST_OTHER } from './workloads.ts';

// Container ids of the recorded Docker listing: the compose services host_networking and mysql (twice).
const CONTAINER = '54ed6cc5c0988260436cb0e739b7b6c9cad6c439a93b4c4fdbe9753e1c94b189';
const MYSQL_A = 'f9ade4b83199d6f83020b7c0bfd1e8281b19dbf9e6cef2cf89bc45c8f8d20fe8';
const MYSQL_B = 'f84b2a0cfaa58d9e70b0657e2b3c6f44f0e973de4163a871299b4acf127b224f';
const HTTPD_IMAGE = 'sha256:73b8cfec11558fe86f565b4357f6d6c8560f4c49a5f15ae970a24da86c9adc93';
const KUBE_PROXY_POD = 'e42b42ec-0749-11e8-a2b8-000c29dea4f6';
const SCOPE = fixturePath('cgroup/v2_docker-container-scope');

/** A cgroup v2 sysfs tree whose cgroups are copies of a real captured container cgroup. */
async function sysfsWith(cgroups: string[]): Promise<string> {
  const sysfs = await tempDir('workloads-sysfs');
  const root = path.join(sysfs, 'fs/cgroup');
  await mkdir(root, { recursive: true });
  await cp(path.join(SCOPE, 'cgroup.stat'), path.join(root, 'cgroup.controllers'));
  for (const rel of cgroups) await cp(SCOPE, path.join(root, rel), { recursive: true });
  return sysfs;
}

const TREE = [
  'system.slice/nginx.service',
  `system.slice/docker-${CONTAINER}.scope`,
  `system.slice/docker-${MYSQL_A}.scope`,
  `system.slice/docker-${MYSQL_B}.scope`,
  `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${KUBE_PROXY_POD.replaceAll('-', '_')}.slice`,
];
/** usage_usec of the captured cgroup's cpu.stat. */
const SCOPE_CPU_SECONDS = 26772130245 / 1e6;

async function dockerSocket(mode?: 'hang'): Promise<string> {
  const socketPath = path.join(await tempDir('docker'), 'docker.sock');
  await startReplayServer({
    routes: {
      '/containers/json': readWorkloadFixture('docker_containers-json_prometheus-dockersd.json'),
      // The recorded nginx inspection served for the httpd container's image: this test checks the
      // plumbing to tierwise_workload_info; docker.test.ts reads the answer at its own image id.
      [`/images/${HTTPD_IMAGE}/json`]: readWorkloadFixture('docker_image-inspect_nginx_watchtower.json'),
    },
    mode,
    listen: { socketPath },
  });
  return socketPath;
}

function dockerResolver(socketPath: string) {
  const images = new ImagePlatforms((imageId) =>
    inspectImagePlatforms({ socketPath, imageId, timeoutMs: 300 }),
  );
  return new CachedResolver(
    'docker',
    async () => images.fill(await listContainers({ socketPath, timeoutMs: 300 })),
    indexContainers,
    30_000,
  );
}

describe('workloads collector', () => {
  it('names services, compose services and pods, and reads each cgroup once', async () => {
    const sysfs = await sysfsWith(TREE);
    const docker = dockerResolver(await dockerSocket());
    await docker.refresh();
    const collector = createWorkloadsCollector(contextFor({ procfs: procTrees.nodeExporter, sysfs }), {
      resolvers: { docker },
    });
    const families = await collector.collect();
    const cpu = (workload: string, kind: string, namespace = '') =>
      sampleValue(families, 'tierwise_workload_cpu_seconds_total', { workload, kind, namespace });
    expect(cpu('nginx.service', 'service')).toBeCloseTo(SCOPE_CPU_SECONDS, 6);
    expect(cpu('dockersd/host_networking', 'container', 'dockersd')).toBeCloseTo(SCOPE_CPU_SECONDS, 6);
    // Two containers of one compose service are one workload.
    expect(cpu('dockersd/mysql', 'container', 'dockersd')).toBeCloseTo(2 * SCOPE_CPU_SECONDS, 6);
    // No Kubernetes API here: the pod is counted, but never under its uid or name.
    expect(cpu('kubernetes/unresolved', 'pod')).toBeCloseTo(SCOPE_CPU_SECONDS, 6);
    expect(sampleValue(families, 'tierwise_workloads_cgroups')).toBe(5);
    expect(sampleValue(families, 'tierwise_workloads_resolver_up', { resolver: 'docker' })).toBe(1);
    const info = families
      .find((f) => f.name === 'tierwise_workload_info')
      ?.samples.find((s) => s.labels.workload === 'dockersd/host_networking');
    expect(info?.labels).toMatchObject({
      image: 'httpd',
      image_platforms: 'linux/amd64',
      resolved_by: 'docker',
    });
    const mysqlInfo = families
      .find((f) => f.name === 'tierwise_workload_info')
      ?.samples.find((s) => s.labels.workload === 'dockersd/mysql');
    expect(mysqlInfo?.labels.image_platforms).toBe(''); // its image could not be inspected (404)
    const memory = sampleValue(families, 'tierwise_workload_memory_bytes', {
      workload: 'nginx.service',
      kind: 'service',
      namespace: '',
    });
    expect(memory).toBe(Number((await readFile(path.join(SCOPE, 'memory.current'), 'utf8')).trim()));
    expect(
      families.find((f) => f.name === 'tierwise_workload_io_bytes_total')?.samples.length,
    ).toBeGreaterThan(0);
  });

  it('keeps host/other so that the workloads add up to the machine', async () => {
    const sysfs = await sysfsWith(['system.slice/a.service']);
    const procfs = await tempDir('workloads-proc');
    await cp(procTrees.nodeExporter, procfs, { recursive: true });
    const collector = createWorkloadsCollector(contextFor({ procfs, sysfs }), { resolvers: {} });
    const first = await collector.collect();
    expect(
      sampleValue(first, 'tierwise_workload_cpu_seconds_total', {
        workload: HOST_OTHER,
        kind: 'process',
        namespace: '',
      }),
    ).toBe(0);
    // The machine gets 100 busy seconds more (user time of cpu line), the service none.
    const stat = await readFile(path.join(procfs, 'stat'), 'utf8');
    const [user] = /^cpu\s+(\d+)/m.exec(stat)?.slice(1) ?? [];
    await writeFile(path.join(procfs, 'stat'), stat.replace(/^cpu\s+\d+/m, `cpu  ${Number(user) + 10_000}`));
    const second = await collector.collect();
    expect(
      sampleValue(second, 'tierwise_workload_cpu_seconds_total', {
        workload: HOST_OTHER,
        kind: 'process',
        namespace: '',
      }),
    ).toBeCloseTo(100, 6);
  });

  it('answers without waiting on a Docker socket that hangs, and says names fell back to ids', async () => {
    const sysfs = await sysfsWith([`system.slice/docker-${CONTAINER}.scope`]);
    const docker = dockerResolver(await dockerSocket('hang'));
    const collector = createWorkloadsCollector(contextFor({ procfs: procTrees.nodeExporter, sysfs }), {
      resolvers: { docker },
    });
    const families = await collector.collect();
    expect(
      sampleValue(families, 'tierwise_workload_cpu_seconds_total', {
        workload: `container/${CONTAINER.slice(0, 12)}`,
        kind: 'container',
        namespace: '',
      }),
    ).toBeCloseTo(SCOPE_CPU_SECONDS, 6);
    await docker.refresh();
    const after = await collector.collect();
    const up = after.find((f) => f.name === 'tierwise_workloads_resolver_up')?.samples[0];
    expect(up?.value).toBe(0);
    expect(up?.labels.reason).toMatch(/timed out/);
  });

  /** The pod cgroup of TREE, collected with a Kubernetes resolver against a replayed API server. */
  async function collectPodWith(replay: { mode: 'forbidden' } | { routes: Record<string, string> }) {
    const made = await makeSelfSignedCert();
    const tls = { cert: await readFile(made.cert, 'utf8'), key: await readFile(made.key, 'utf8') };
    const server = await startReplayServer({ ...replay, listen: { tls } });
    const access = { apiUrl: server.url ?? '', token: 't', ca: tls.cert, nodeName: 'pi4-a', timeoutMs: 1000 };
    const kubernetes = new CachedResolver('kubernetes', () => listPodsOnNode(access), indexPods, 30_000);
    await kubernetes.refresh();
    const sysfs = await sysfsWith(TREE.slice(4));
    return createWorkloadsCollector(contextFor({ procfs: procTrees.nodeExporter, sysfs }), {
      resolvers: { kubernetes },
    }).collect();
  }

  it('reports a Kubernetes API that refuses (403) as a resolver down with the reason', async () => {
    const families = await collectPodWith({ mode: 'forbidden' });
    const up = families.find((f) => f.name === 'tierwise_workloads_resolver_up')?.samples[0];
    expect(up?.value).toBe(0);
    expect(up?.labels.reason).toMatch(/403.*RBAC/);
  });

  it('names pods by their owner through the Kubernetes API', async () => {
    const families = await collectPodWith({
      routes: { '/api/v1/pods': readWorkloadFixture('kubernetes_podlist_datadog-1.8-2.trimmed.json') },
    });
    expect(
      sampleValue(families, 'tierwise_workload_cpu_seconds_total', {
        workload: 'kube-system/DaemonSet/kube-proxy',
        kind: 'pod',
        namespace: 'kube-system',
      }),
    ).toBeCloseTo(SCOPE_CPU_SECONDS, 6);
  });

  it('folds workloads over the cap into host/other and counts them', async () => {
    const sysfs = await sysfsWith([
      'system.slice/a.service',
      'system.slice/b.service',
      'system.slice/c.service',
    ]);
    const config = defaultConfig().agent;
    config.workloads.max_workloads = 1;
    const families = await createWorkloadsCollector(
      contextFor({ procfs: procTrees.nodeExporter, sysfs }, config),
      {
        resolvers: {},
      },
    ).collect();
    expect(sampleValue(families, 'tierwise_workloads_folded')).toBe(2);
    const named = families
      .find((f) => f.name === 'tierwise_workload_cpu_seconds_total')
      ?.samples.map((s) => s.labels.workload);
    expect(named).toHaveLength(2);
    expect(named).toContain(HOST_OTHER);
  });

  it('skips a cgroup it cannot read and counts it, keeping the rest', async () => {
    const sysfs = await sysfsWith(['system.slice/good.service', 'system.slice/bad.service']);
    const bad = path.join(sysfs, 'fs/cgroup/system.slice/bad.service/cpu.stat');
    // A directory where the kernel has a file: every read of it fails (root ignores permissions).
    await rm(bad);
    await mkdir(bad);
    const families = await createWorkloadsCollector(contextFor({ procfs: procTrees.nodeExporter, sysfs }), {
      resolvers: {},
    }).collect();
    expect(sampleValue(families, 'tierwise_workloads_unreadable_cgroups')).toBe(1);
    expect(
      sampleValue(families, 'tierwise_workload_cpu_seconds_total', {
        workload: 'good.service',
        kind: 'service',
        namespace: '',
      }),
    ).toBeCloseTo(SCOPE_CPU_SECONDS, 6);
  });

  it('reads CPU and memory every scrape and the other files in turn', async () => {
    const sysfs = await sysfsWith(['system.slice/a.service']);
    const dir = path.join(sysfs, 'fs/cgroup/system.slice/a.service');
    const collector = createWorkloadsCollector(contextFor({ procfs: procTrees.nodeExporter, sysfs }), {
      resolvers: {},
    });
    const labels = { workload: 'a.service', kind: 'service', namespace: '' };
    const ioRead = (f: Awaited<ReturnType<typeof collector.collect>>) =>
      sampleValue(f, 'tierwise_workload_io_bytes_total', { ...labels, direction: 'read' });
    expect(ioRead(await collector.collect())).toBe(1536);
    await writeFile(path.join(dir, 'memory.current'), '123456\n');
    await writeFile(path.join(dir, 'io.stat'), '8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n');
    const next = await collector.collect();
    expect(sampleValue(next, 'tierwise_workload_memory_bytes', labels)).toBe(123456);
    const seen = [ioRead(next)];
    for (let i = 1; i < FULL_READ_EVERY_SCRAPES; i++) seen.push(ioRead(await collector.collect()));
    // Stale (1536) until this cgroup's turn, then the new value; never anything else.
    expect(seen.filter((v) => v === 4096).length).toBeGreaterThan(0);
    expect(seen.every((v) => v === 1536 || v === 4096)).toBe(true);
    expect(seen.at(-1)).toBe(4096);
  });

  it('applies rename rules from tierwise.yml, merging what they map together', async () => {
    const sysfs = await sysfsWith(['system.slice/ci-job-1.service', 'system.slice/ci-job-2.service']);
    const config = defaultConfig().agent;
    config.workloads.rename = [{ match: 'ci-job-\\d+\\.service', workload: 'ci/jobs' }];
    const families = await createWorkloadsCollector(
      contextFor({ procfs: procTrees.nodeExporter, sysfs }, config),
      {
        resolvers: {},
      },
    ).collect();
    expect(
      sampleValue(families, 'tierwise_workload_cpu_seconds_total', {
        workload: 'ci/jobs',
        kind: 'service',
        namespace: '',
      }),
    ).toBeCloseTo(2 * SCOPE_CPU_SECONDS, 6);
  });
});
