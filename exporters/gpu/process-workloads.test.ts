import { describe, expect, it } from 'vitest';
import { contextFor, tempTree } from '../../test/support/fixtures.ts';
import type { DockerContainer } from '../workloads/docker.ts';
import { indexContainers } from '../workloads/engines.ts';
import { CachedResolver } from '../workloads/resolver.ts';
import { identifyProcessCgroup, ProcessWorkloads } from './process-workloads.ts';

const ID = 'a'.repeat(64);
const CI = 'b'.repeat(64);
const POD =
  '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b1c2d3e_4f50_6172_8394_a5b6c7d8e9f0.slice';
const MIB = 1024 * 1024;

describe('identifyProcessCgroup', () => {
  it('finds the cgroup the workloads walk would stop at: the shortest prefix that names a workload', () => {
    expect(identifyProcessCgroup('/system.slice/jellyfin.service')?.identity).toEqual({
      kind: 'service',
      workload: 'jellyfin.service',
    });
    expect(identifyProcessCgroup('/system.slice/ollama.service/runner')?.rel).toBe(
      '/system.slice/ollama.service',
    );
    expect(identifyProcessCgroup(`${POD}/cri-containerd-${ID}.scope`)).toEqual({
      identity: { kind: 'pod', podUid: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' },
      rel: POD,
    });
    expect(identifyProcessCgroup(`/system.slice/docker-${ID}.scope`)?.identity).toMatchObject({
      kind: 'container',
      containerId: ID,
    });
  });

  it('finds none for a login session or the root', () => {
    expect(identifyProcessCgroup('/user.slice/user-1000.slice/session-2.scope')).toBeUndefined();
    expect(identifyProcessCgroup('/')).toBeUndefined();
  });
});

describe('ProcessWorkloads', () => {
  it('sums VRAM per GPU and workload, named as the workloads collector names them', async () => {
    const procfs = await tempTree('gpu-procfs', {
      '101/cgroup': '0::/system.slice/jellyfin.service\n',
      '107/cgroup': '0::/system.slice/jellyfin.service\n',
      '102/cgroup': `0::/system.slice/docker-${ID}.scope\n`,
      '103/cgroup': `0::${POD}/cri-containerd-${ID}.scope\n`,
      '104/cgroup': '0::/user.slice/user-1000.slice/session-2.scope\n',
      // A v1-only machine (older Raspberry Pi OS, K3s): the cpuacct hierarchy, as the walk uses.
      '105/cgroup': '12:cpu,cpuacct:/system.slice/ollama.service\n11:memory:/system.slice/ollama.service\n',
    });
    const attribution = new ProcessWorkloads(contextFor({ procfs }), {});
    const vram = await attribution.attribute([
      { gpuUuid: 'GPU-0', pid: 101, usedMemoryBytes: 370 * MIB },
      { gpuUuid: 'GPU-0', pid: 107, usedMemoryBytes: 230 * MIB },
      { gpuUuid: 'GPU-1', pid: 107, usedMemoryBytes: 10 * MIB },
      { gpuUuid: 'GPU-0', pid: 102, usedMemoryBytes: 1 * MIB },
      { gpuUuid: 'GPU-0', pid: 103, usedMemoryBytes: 2 * MIB },
      { gpuUuid: 'GPU-0', pid: 104, usedMemoryBytes: 25 * MIB },
      { gpuUuid: 'GPU-0', pid: 105, usedMemoryBytes: 4 * MIB },
      // Exited since nvidia-smi listed it, and a process whose memory the driver cannot say.
      { gpuUuid: 'GPU-0', pid: 106, usedMemoryBytes: 9 * MIB },
      { gpuUuid: 'GPU-0', pid: 101, usedMemoryBytes: undefined },
    ]);
    const shown = vram.map((v) => [v.gpuUuid, v.workload.name, v.workload.kind, v.bytes / MIB]);
    expect(shown).toEqual([
      ['GPU-0', 'jellyfin.service', 'service', 600],
      ['GPU-1', 'jellyfin.service', 'service', 10],
      ['GPU-0', `container/${ID.slice(0, 12)}`, 'container', 1],
      ['GPU-0', 'kubernetes/unresolved', 'pod', 2],
      ['GPU-0', 'host/other', 'process', 25],
      ['GPU-0', 'ollama.service', 'service', 4],
    ]);
  });

  it("asks the engine's API for container names, and applies the workload renames", async () => {
    const procfs = await tempTree('gpu-procfs', {
      '201/cgroup': `0::/system.slice/docker-${CI}.scope\n`,
      '202/cgroup': `0::/system.slice/docker-${ID}.scope\n`,
    });
    let listings = 0;
    const container = (id: string, name: string, compose?: [string, string]): DockerContainer => ({
      id,
      name,
      image: 'ghcr.io/example:1',
      labels: {},
      annotations: {},
      invalidAnnotations: [],
      ...(compose ? { composeProject: compose[0], composeService: compose[1] } : {}),
    });
    const docker = new CachedResolver(
      'docker',
      async () => {
        listings++;
        return [
          container(CI, 'GITEA-ACTIONS-TASK-12_WORKFLOW-ci_JOB-build'),
          container(ID, 'immich_machine_learning', ['immich', 'machine-learning']),
        ];
      },
      indexContainers,
      30_000,
    );
    const vram = await new ProcessWorkloads(contextFor({ procfs }), { docker }).attribute([
      { gpuUuid: 'GPU-0', pid: 201, usedMemoryBytes: MIB },
      { gpuUuid: 'GPU-0', pid: 202, usedMemoryBytes: 2 * MIB },
    ]);
    expect(listings).toBe(1);
    expect(vram.map((v) => [v.workload.name, v.workload.namespace, v.workload.resolvedBy])).toEqual([
      ['gitea-actions/jobs', '', 'docker'],
      ['immich/machine-learning', 'immich', 'docker'],
    ]);
  });
});
