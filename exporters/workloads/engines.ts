import { existsSync } from 'node:fs';
import os from 'node:os';
import type { CollectorContext } from '../collector.ts';
import {
  type DockerContainer,
  ImagePlatforms,
  inspectImagePlatforms,
  listContainers,
  workloadNameFor,
} from './docker.ts';
import { inClusterConfig, listPodsOnNode, type PodInfo } from './kubernetes.ts';
import { CachedResolver, type ResolvedWorkload } from './resolver.ts';

export interface EngineResolvers {
  docker?: CachedResolver<DockerContainer>;
  kubernetes?: CachedResolver<PodInfo>;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The engine APIs this machine has: Docker (or Podman) when its socket exists, Kubernetes when the agent
 * runs in a pod with a service account (or the config says so). Absent engines get no resolver, so a
 * Pi without Docker shows no "resolver down" series.
 */
export function createEngineResolvers({ config, log }: CollectorContext): EngineResolvers {
  const { docker, kubernetes } = config.workloads;
  const resolvers: EngineResolvers = {};
  if (existsSync(docker.socket)) {
    const access = { socketPath: docker.socket, timeoutMs: docker.timeout_seconds * 1000 };
    const images = new ImagePlatforms((imageId) => inspectImagePlatforms({ ...access, imageId }));
    resolvers.docker = new CachedResolver(
      'docker',
      async () => images.fill(await listContainers(access)),
      indexContainers,
      docker.cache_seconds * 1000,
    );
  }
  const inCluster = process.env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(SERVICE_ACCOUNT_TOKEN);
  if (kubernetes.enabled ?? inCluster) {
    const nodeName = kubernetes.node_name ?? process.env.NODE_NAME ?? os.hostname();
    resolvers.kubernetes = new CachedResolver(
      'kubernetes',
      async () =>
        listPodsOnNode({
          ...(await inClusterConfig()),
          nodeName,
          timeoutMs: kubernetes.timeout_seconds * 1000,
        }),
      indexPods,
      kubernetes.cache_seconds * 1000,
    );
  }
  log.debug({ engines: Object.keys(resolvers) }, 'workload engines');
  return resolvers;
}

export function indexContainers(containers: DockerContainer[]): Map<string, ResolvedWorkload> {
  return new Map(
    containers.map((c) => [
      c.id,
      {
        workload: workloadNameFor(c),
        namespace: c.composeProject ?? '',
        image: c.image,
        ...(c.imagePlatforms ? { imagePlatforms: c.imagePlatforms.join(',') } : {}),
        annotations: c.annotations,
      },
    ]),
  );
}

export function indexPods(pods: PodInfo[]): Map<string, ResolvedWorkload> {
  const total = (pick: (c: PodInfo['containers'][number]) => number | undefined, pod: PodInfo) => {
    const values = pod.containers.map(pick);
    return values.every((v) => v !== undefined) && values.length > 0
      ? values.reduce((a: number, b) => a + (b as number), 0)
      : undefined;
  };
  return new Map(
    pods.map((pod) => [
      pod.uid,
      {
        workload: pod.workload,
        namespace: pod.namespace,
        image: pod.containers.map((c) => c.image).join(','),
        annotations: pod.annotations,
        cpuRequestCores: total((c) => c.requests.cpu, pod),
        cpuLimitCores: total((c) => c.limits.cpu, pod),
        memoryRequestBytes: total((c) => c.requests.memory, pod),
        memoryLimitBytes: total((c) => c.limits.memory, pod),
      },
    ]),
  );
}
