/**
 * What a cgroup is, read from its path alone. The walker asks this of every cgroup below the root; where
 * the answer is undefined it descends, and where it is an identity it charges the whole subtree to it
 * and stops. An API (Docker, Kubernetes) turns container ids and pod UIDs into final workload names.
 *
 * `relPath` is relative to the cgroup root, as the kernel prints it in /proc/<pid>/cgroup. What returns what
 * (the last path segment decides, in the context of its ancestors):
 *
 * - Pods: the pod cgroup itself → `{ kind: 'pod', podUid }`, the unit for Kubernetes (one workload per pod,
 *   summing its containers). Recognised as the cgroupfs directory `pod<uid>` below a `kubepods…` ancestor
 *   (`/kubepods/burstable/pod<uid>`, K3s' `/kubepods/besteffort/pod<uid>`, Guaranteed `/kubepods/pod<uid>`)
 *   and as the systemd slice `[<prefix>-]kubepods[-burstable|-besteffort]-pod<uid>.slice`, whose UID has
 *   dashes written as underscores (restored here). Everything below a pod (its containers, pause, conmon)
 *   and the QoS levels above it (`kubepods`, `kubepods-burstable.slice`) → undefined.
 * - Containers outside pods → `{ kind: 'container', containerId, runtime }` for the systemd scopes
 *   `docker-<id>.scope`, `libpod-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope` wherever they
 *   sit (system.slice, machine.slice, a rootless user's user@<uid>.service/user.slice), for cgroupfs
 *   `libpod-<id>` and `crio-<id>`, and for a bare `<id>` directly below a `docker` directory (Docker's
 *   cgroupfs driver, `/docker/<id>`). `<id>` must be 64 lowercase hex digits.
 * - systemd services → `{ kind: 'service', workload: '<unit>' }` for any `*.service` segment, nested or not
 *   (`system-getty.slice/getty@tty1.service` → `getty@tty1.service`), except `user@<uid>.service`, the
 *   per-user manager under which rootless containers and user services live (→ undefined, descend).
 *   CI runners are services flagged with `runner`: Gitea's `act_runner*.service` and `gitea-runner*.service`
 *   (NixOS names its instances `gitea-runner-<name>`) as `{ system: 'gitea' }`, without a repository
 *   (their unit names carry none); GitHub's `actions.runner.<owner>-<repo>.<runner>.service` as
 *   `{ system: 'github', repository: '<owner>-<repo>' }`.
 * - Everything else → undefined: slices (`system.slice`, `user.slice`, `machine.slice`, a Podman pod's
 *   `machine-libpod_pod_<id>.slice`), `init.scope`, session scopes, transient `run-*.scope`s, conmon scopes.
 *   Processes left in such cgroups are the caller's "host/other"; kind 'process' is never returned here.
 */
export type WorkloadKind = 'pod' | 'container' | 'service' | 'process';

export type ContainerRuntime = 'docker' | 'podman' | 'containerd' | 'cri-o';

export interface CgroupIdentity {
  kind: WorkloadKind;
  /** Final identity when the path alone gives it (systemd unit); undefined when an API must resolve it. */
  workload?: string;
  containerId?: string;
  runtime?: ContainerRuntime;
  /** Dashes restored from systemd's underscores. */
  podUid?: string;
  runner?: { system: 'gitea' | 'github'; repository?: string };
}

const CONTAINER_SCOPES: ReadonlyArray<readonly [RegExp, ContainerRuntime]> = [
  [/^docker-([0-9a-f]{64})\.scope$/, 'docker'],
  [/^libpod-([0-9a-f]{64})(?:\.scope)?$/, 'podman'],
  [/^cri-containerd-([0-9a-f]{64})\.scope$/, 'containerd'],
  [/^crio-([0-9a-f]{64})(?:\.scope)?$/, 'cri-o'],
];
const BARE_CONTAINER_ID = /^[0-9a-f]{64}$/;
const POD_SLICE = /^(?:[\w]+-)?kubepods-(?:(?:burstable|besteffort)-)?pod([0-9a-f_]+)\.slice$/;
const POD_DIR = /^pod([0-9a-f-]+)$/;
const USER_MANAGER = /^user@\d+\.service$/;
/** The runner writes the repository with '/' as '-', so owner and repository cannot be split apart again. */
const GITHUB_RUNNER = /^actions\.runner\.(.+)\.[^.]+\.service$/;

export function identifyCgroup(relPath: string): CgroupIdentity | undefined {
  const segments = relPath.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  for (const [i, segment] of segments.entries()) {
    const podUid = podUidOf(segment, segments.slice(0, i));
    if (podUid !== undefined) return i === segments.length - 1 ? { kind: 'pod', podUid } : undefined;
  }
  const leaf = segments.at(-1);
  if (leaf === undefined) return undefined;
  return containerOf(leaf, segments.at(-2)) ?? serviceOf(unescapeCgroupName(leaf));
}

function podUidOf(segment: string, ancestors: string[]): string | undefined {
  const slice = POD_SLICE.exec(segment);
  if (slice?.[1] !== undefined) return slice[1].replaceAll('_', '-');
  const dir = POD_DIR.exec(segment);
  return dir?.[1] !== undefined && ancestors.some((a) => a.startsWith('kubepods')) ? dir[1] : undefined;
}

function containerOf(leaf: string, parent: string | undefined): CgroupIdentity | undefined {
  for (const [pattern, runtime] of CONTAINER_SCOPES) {
    const containerId = pattern.exec(leaf)?.[1];
    if (containerId !== undefined) return { kind: 'container', containerId, runtime };
  }
  return parent === 'docker' && BARE_CONTAINER_ID.test(leaf)
    ? { kind: 'container', containerId: leaf, runtime: 'docker' }
    : undefined;
}

function serviceOf(unit: string): CgroupIdentity | undefined {
  if (!unit.endsWith('.service') || USER_MANAGER.test(unit)) return undefined;
  if (unit.startsWith('act_runner') || unit.startsWith('gitea-runner')) {
    return { kind: 'service', workload: unit, runner: { system: 'gitea' } };
  }
  const github = GITHUB_RUNNER.exec(unit);
  if (github?.[1] !== undefined) {
    return { kind: 'service', workload: unit, runner: { system: 'github', repository: github[1] } };
  }
  return { kind: 'service', workload: unit };
}

/**
 * systemd prefixes a cgroup name with '_' when the unit name starts with '_' or '.' or would collide with
 * a controller's file (a unit called "cpu.service" lives in "_cpu.service"); the unit name is without it.
 */
function unescapeCgroupName(name: string): string {
  return name.startsWith('_') ? name.slice(1) : name;
}
