import type { StatsFs } from 'node:fs';
import { statfs as fsStatfs } from 'node:fs/promises';
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
import { FamilyBuilder } from '../metrics.ts';
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
  const mountPointsExclude = new RegExp(config.filesystem.mount_points_exclude);
  const fsTypesExclude = new RegExp(config.filesystem.fs_types_exclude);
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
      const mounts = await readMounts(paths);
      const seen = new Set<string>();
      const wanted = mounts.filter((m) => {
        if (mountPointsExclude.test(m.mountPoint) || fsTypesExclude.test(m.fsType)) return false;
        // A mount stacked on itself would otherwise give two samples with one label set.
        const key = `${m.device}\0${m.mountPoint}\0${m.fsType}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      const results = await Promise.allSettled(
        wanted.map((m) => statWithTimeout(rootfsPath(paths, m.mountPoint))),
      );

      const b = new FamilyBuilder();
      for (const [i, m] of wanted.entries()) {
        const result = results[i];
        const labels = { device: m.device, fstype: m.fsType, mountpoint: m.mountPoint };
        const readonly = m.options.includes('ro') || m.superOptions.includes('ro');
        const ok = result?.status === 'fulfilled' && result.value !== TIMED_OUT ? result.value : undefined;
        if (result?.status === 'rejected') {
          log.debug({ mountpoint: m.mountPoint, err: result.reason }, 'statfs failed');
        }
        b.gauge(
          'node_filesystem_device_error',
          'Whether an error occurred while getting statistics for the given device.',
          ok ? 0 : 1,
          labels,
        );
        b.gauge('node_filesystem_readonly', 'Filesystem read-only status.', readonly ? 1 : 0, labels);
        if (!ok) continue;
        b.gauge('node_filesystem_size_bytes', 'Filesystem size in bytes.', ok.blocks * ok.bsize, labels);
        b.gauge('node_filesystem_free_bytes', 'Filesystem free space in bytes.', ok.bfree * ok.bsize, labels);
        b.gauge(
          'node_filesystem_avail_bytes',
          'Filesystem space available to non-root users in bytes.',
          ok.bavail * ok.bsize,
          labels,
        );
        b.gauge('node_filesystem_files', 'Filesystem total file nodes.', ok.files, labels);
        b.gauge('node_filesystem_files_free', 'Filesystem total free file nodes.', ok.ffree, labels);
      }
      return b.build();
    },
  };
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
