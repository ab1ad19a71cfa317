import type { StatsFs } from 'node:fs';
import { statfs as fsStatfs } from 'node:fs/promises';
import type { AgentConfig } from '../../common/config.ts';
import {
  type Collector,
  type CollectorContext,
  type CollectorDefinition,
  type HostPaths,
  NoDataError,
  procPath,
  readOptional,
  rootfsPath,
} from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { type Mount, parseMountinfo, parseMounts } from '../parsers/mountinfo.ts';

export type StatfsResult = Pick<StatsFs, 'bsize' | 'blocks' | 'bfree' | 'bavail' | 'files' | 'ffree'>;

export interface FilesystemDeps {
  statfs: (path: string) => Promise<StatfsResult>;
}

const TIMED_OUT = Symbol('timed out');

/**
 * node_exporter's filesystem collector. Its stuckMounts rule matters most: a statfs on a dead NFS server
 * blocks a libuv threadpool thread until the server returns, perhaps forever, and Node has only four of
 * them for every fs call of the process. So a call that outlives the timeout is left to finish on its
 * own, and until it does its mount point is reported as a device error without being asked again.
 */
export function createFilesystemCollector(
  { paths, config, log }: CollectorContext,
  { statfs }: FilesystemDeps = { statfs: fsStatfs },
): Collector {
  const excludes = filesystemExcludes(config.filesystem);
  const timeoutMs = config.filesystem.statfs_timeout_seconds * 1000;
  /** statfs calls still running, by path, shared by concurrent scrapes; `stuck` once one timed out. */
  const pending = new Map<string, { call: Promise<StatfsResult>; stuck: boolean }>();

  async function statWithTimeout(file: string): Promise<StatfsResult | typeof TIMED_OUT> {
    let entry = pending.get(file);
    if (entry?.stuck) return TIMED_OUT;
    if (!entry) {
      const call = statfs(file);
      entry = { call, stuck: false };
      pending.set(file, entry);
      const settled = () => {
        if (pending.get(file)?.stuck) log.debug({ path: file }, 'statfs returned; monitoring resumes');
        pending.delete(file);
      };
      call.then(settled, settled);
    }
    const result = await raceTimeout(entry.call, timeoutMs);
    if (result === TIMED_OUT && !entry.stuck) {
      entry.stuck = true;
      log.debug({ path: file, timeoutMs }, 'statfs timed out; mount reported as stuck until it returns');
    }
    return result;
  }

  return {
    async collect() {
      const wanted = selectMounts(await readMounts(paths), excludes);
      const results = await Promise.allSettled(
        wanted.map((m) => statWithTimeout(rootfsPath(paths, m.mountPoint))),
      );
      return filesystemFamilies(
        wanted.map((mount, i) => {
          const result = results[i];
          if (result?.status === 'rejected') {
            log.debug({ mountpoint: mount.mountPoint, err: result.reason }, 'statfs failed');
          }
          const ok = result?.status === 'fulfilled' && result.value !== TIMED_OUT ? result.value : undefined;
          return { mount, sizes: ok && statfsSizes(ok) };
        }),
      );
    },
  };
}

/** The agent config's filesystem.mount_points_exclude and fs_types_exclude, compiled. */
export interface FilesystemExcludes {
  mountPoints: RegExp;
  fsTypes: RegExp;
}

export function filesystemExcludes(
  config: Pick<AgentConfig['filesystem'], 'mount_points_exclude' | 'fs_types_exclude'>,
): FilesystemExcludes {
  return {
    mountPoints: new RegExp(config.mount_points_exclude),
    fsTypes: new RegExp(config.fs_types_exclude),
  };
}

/** The mounts the excludes keep, each device, mount point and type once. */
export function selectMounts(mounts: readonly Mount[], exclude: FilesystemExcludes): Mount[] {
  const seen = new Set<string>();
  return mounts.filter((m) => {
    if (exclude.mountPoints.test(m.mountPoint) || exclude.fsTypes.test(m.fsType)) return false;
    // A mount stacked on itself would otherwise give two samples with one label set.
    const key = `${m.device}\0${m.mountPoint}\0${m.fsType}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A filesystem's size as statfs (the agent) or `df -Pk` (the SSH probe) gives it. */
export interface FilesystemSizes {
  sizeBytes: number;
  freeBytes: number;
  availBytes: number;
  /** Inodes; df -P has no column for them. */
  files?: number;
  filesFree?: number;
}

export function statfsSizes(s: StatfsResult): FilesystemSizes {
  return {
    sizeBytes: s.blocks * s.bsize,
    freeBytes: s.bfree * s.bsize,
    availBytes: s.bavail * s.bsize,
    files: s.files,
    filesFree: s.ffree,
  };
}

/**
 * node_exporter's node_filesystem_* families for mounts whose sizes were read (or not: `sizes`
 * undefined is a device error, without size series). Shared with the SSH probe.
 */
export function filesystemFamilies(
  results: ReadonlyArray<{ mount: Mount; sizes: FilesystemSizes | undefined }>,
): MetricFamily[] {
  const b = new FamilyBuilder();
  for (const { mount: m, sizes } of results) {
    const labels = { device: m.device, fstype: m.fsType, mountpoint: m.mountPoint };
    const readonly = m.options.includes('ro') || m.superOptions.includes('ro');
    b.gauge(
      'node_filesystem_device_error',
      'Whether an error occurred while getting statistics for the given device.',
      sizes ? 0 : 1,
      labels,
    );
    b.gauge('node_filesystem_readonly', 'Filesystem read-only status.', readonly ? 1 : 0, labels);
    if (!sizes) continue;
    b.gauge('node_filesystem_size_bytes', 'Filesystem size in bytes.', sizes.sizeBytes, labels);
    b.gauge('node_filesystem_free_bytes', 'Filesystem free space in bytes.', sizes.freeBytes, labels);
    b.gauge(
      'node_filesystem_avail_bytes',
      'Filesystem space available to non-root users in bytes.',
      sizes.availBytes,
      labels,
    );
    if (sizes.files !== undefined) {
      b.gauge('node_filesystem_files', 'Filesystem total file nodes.', sizes.files, labels);
    }
    if (sizes.filesFree !== undefined) {
      b.gauge('node_filesystem_files_free', 'Filesystem total free file nodes.', sizes.filesFree, labels);
    }
  }
  return b.build();
}

export const filesystemCollector: CollectorDefinition = {
  name: 'filesystem',
  description: 'size and free space of mounted filesystems (node_filesystem_*)',
  defaultEnabled: true,
  create: (ctx) => createFilesystemCollector(ctx),
};

/**
 * The host's mount table as node_exporter reads it: pid 1's (the host's, even from a container with
 * hostPID), the agent's own where hidepid hides pid 1, and /proc/mounts on kernels before 2.6.26.
 */
async function readMounts(paths: HostPaths): Promise<Mount[]> {
  for (const pid of ['1', 'self']) {
    const text = await readOptional(procPath(paths, pid, 'mountinfo'));
    if (text !== undefined) return parseMountinfo(text).map((m) => withoutRootfs(paths, m));
  }
  const text = await readOptional(procPath(paths, 'mounts'));
  if (text === undefined) throw new NoDataError(`no mountinfo or mounts under ${paths.procfs}`);
  return parseMounts(text).map((m) => withoutRootfs(paths, m));
}

/**
 * A container that reads its own table sees the host's mounts under rootfs (/host/boot); node_exporter
 * labels them with the host's path (/boot), as rootfsPath expects.
 */
function withoutRootfs(paths: HostPaths, mount: Mount): Mount {
  const root = paths.rootfs.replace(/\/+$/, '');
  if (root === '') return mount;
  if (mount.mountPoint === root) return { ...mount, mountPoint: '/' };
  if (!mount.mountPoint.startsWith(`${root}/`)) return mount;
  return { ...mount, mountPoint: mount.mountPoint.slice(root.length) };
}

function raceTimeout<T>(call: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}
