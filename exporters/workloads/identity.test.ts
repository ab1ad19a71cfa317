import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { type CgroupIdentity, identifyCgroup } from './identity.ts';

const ID = 'b29faf21b7eff959f64b4192c34d5d67a707fe8561e9eaa608cb27693fba4242';
const UID = '7a96c459-d529-44ae-9f99-90d3798d6426';
const SYSTEMD_UID = UID.replaceAll('-', '_');

const pod = (podUid: string): CgroupIdentity => ({ kind: 'pod', podUid });
const container = (runtime: CgroupIdentity['runtime'], containerId = ID): CgroupIdentity => ({
  kind: 'container',
  containerId,
  runtime,
});
const service = (workload: string): CgroupIdentity => ({ kind: 'service', workload });

describe('identifyCgroup', () => {
  // The three paths of ../shared/fixtures/cgroup, in full as elastic-agent-system-metrics' tests name them
  // (SOURCES.md abbreviates them).
  it.each<[string, CgroupIdentity | undefined]>([
    [
      '/system.slice/docker-1c8fa019edd4b9d4b2856f4932c55929c5c118c808ed5faee9a135ca6e84b039.scope',
      container('docker', '1c8fa019edd4b9d4b2856f4932c55929c5c118c808ed5faee9a135ca6e84b039'),
    ],
    ['/system.slice', undefined],
    [
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${SYSTEMD_UID}.slice/cri-containerd-1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496.scope`,
      undefined,
    ],
    [`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${SYSTEMD_UID}.slice`, pod(UID)],
    ['/user.slice/user-1000.slice/session-520.scope', undefined],
  ])('fixture tree path %s', (relPath, want) => {
    expect(identifyCgroup(relPath)).toEqual(want);
  });

  it('reads the session path exactly as the fixture /proc/<pid>/cgroup prints it', () => {
    const line = readFixture('cgroup/v2_user-session-scope_kernel6/proc/pid_cgroup').trim();
    expect(line).toBe('0::/../../user-1000.slice/session-520.scope');
    expect(identifyCgroup(line.slice('0::'.length))).toBeUndefined();
  });

  it.each<[string, string, CgroupIdentity | undefined]>([
    // Docker
    ['Docker, systemd driver (v1 and v2)', `/system.slice/docker-${ID}.scope`, container('docker')],
    ['Docker, cgroupfs driver', `/docker/${ID}`, container('docker')],
    [
      'Docker rootless',
      `/user.slice/user-1000.slice/user@1000.service/docker-${ID}.scope`,
      container('docker'),
    ],
    ['the Docker daemon itself', '/system.slice/docker.service', service('docker.service')],
    ['a directory that only looks like an id', `/system.slice/${ID}`, undefined],
    ['a short id', '/system.slice/docker-1c8fa019edd4.scope', undefined],
    // Podman
    ['Podman rootful', `/machine.slice/libpod-${ID}.scope`, container('podman')],
    [
      'Podman rootless',
      `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`,
      container('podman'),
    ],
    ['Podman, cgroupfs driver (v1)', `/libpod_parent/libpod-${ID}`, container('podman')],
    [
      'a container in a Podman pod',
      `/machine.slice/machine-libpod_pod_${ID}.slice/libpod-${ID}.scope`,
      container('podman'),
    ],
    ['the Podman pod slice', `/machine.slice/machine-libpod_pod_${ID}.slice`, undefined],
    ['conmon', `/machine.slice/libpod-conmon-${ID}.scope`, undefined],
    ['a Quadlet service and its container', `/system.slice/web.service/libpod-payload-${ID}`, undefined],
    // Kubernetes, systemd driver
    ['kubepods root slice', '/kubepods.slice', undefined],
    ['QoS slice', '/kubepods.slice/kubepods-besteffort.slice', undefined],
    [
      'BestEffort pod',
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${SYSTEMD_UID}.slice`,
      pod(UID),
    ],
    ['Guaranteed pod', `/kubepods.slice/kubepods-pod${SYSTEMD_UID}.slice`, pod(UID)],
    [
      'CRI-O container in a pod',
      `/kubepods.slice/kubepods-pod${SYSTEMD_UID}.slice/crio-${ID}.scope`,
      undefined,
    ],
    [
      'kind node (kubelet cgroup root /kubelet)',
      `/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod${SYSTEMD_UID}.slice`,
      pod(UID),
    ],
    // Kubernetes / K3s, cgroupfs driver
    ['K3s BestEffort pod', `/kubepods/besteffort/pod${UID}`, pod(UID)],
    ['K3s container in a pod (v1)', `/kubepods/burstable/pod${UID}/${ID}`, undefined],
    ['Guaranteed pod (cgroupfs)', `/kubepods/pod${UID}`, pod(UID)],
    ['CRI-O container, cgroupfs', `/kubepods/burstable/pod${UID}/crio-${ID}`, undefined],
    ['cgroupfs QoS directory', '/kubepods/burstable', undefined],
    [
      'static pod (UID is the manifest hash)',
      '/kubepods/burstable/pod0a8863810b43d4d891fab0af80e28e4c',
      pod('0a8863810b43d4d891fab0af80e28e4c'),
    ],
    ['a pod-like directory outside kubepods', '/system.slice/pod123', undefined],
    ['containerd outside Kubernetes', `/system.slice/cri-containerd-${ID}.scope`, container('containerd')],
    ['CRI-O outside a pod', `/system.slice/crio-${ID}.scope`, container('cri-o')],
    // systemd
    ['a service', '/system.slice/nginx.service', service('nginx.service')],
    [
      'a template instance',
      '/system.slice/system-getty.slice/getty@tty1.service',
      service('getty@tty1.service'),
    ],
    ['the K3s server', '/system.slice/k3s.service', service('k3s.service')],
    [
      'a user service',
      '/user.slice/user-1000.slice/user@1000.service/app.slice/syncthing.service',
      service('syncthing.service'),
    ],
    ['the per-user manager', '/user.slice/user-1000.slice/user@1000.service', undefined],
    ['an escaped unit name', '/system.slice/_cpu.service', service('cpu.service')],
    ['init.scope', '/init.scope', undefined],
    ['a transient scope', '/system.slice/run-r3f1c0d9e2b7a4f5c8d6e1a2b3c4d5e6f.scope', undefined],
    ['the root', '/', undefined],
    ['empty', '', undefined],
  ])('%s: %s', (_what, relPath, want) => {
    expect(identifyCgroup(relPath)).toEqual(want);
  });

  it.each<[string, CgroupIdentity['runner']]>([
    ['act_runner.service', { system: 'gitea' }],
    ['gitea-runner-default.service', { system: 'gitea' }],
    ['gitea-runner.service', { system: 'gitea' }],
    [
      'actions.runner.myorganizationexample-myrepoexample.thisiskindofalongrunnerabcde.service',
      { system: 'github', repository: 'myorganizationexample-myrepoexample' },
    ],
    // A dotted repository name stays whole: the runner name is what follows the last dot.
    [
      'actions.runner.octo-octo.github.io.rpi4.service',
      { system: 'github', repository: 'octo-octo.github.io' },
    ],
  ])('CI runner %s', (unit, runner) => {
    expect(identifyCgroup(`/system.slice/${unit}`)).toEqual({ kind: 'service', workload: unit, runner });
  });
});
