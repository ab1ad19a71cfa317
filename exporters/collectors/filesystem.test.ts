import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../common/config.ts';
import { collectFrom, contextFor, procTrees, sampleValue, tempTree } from '../../test/support/fixtures.ts';
import { type HostPaths, NoDataError } from '../collector.ts';
import type { MetricFamily } from '../metrics.ts';
import { createFilesystemCollector, filesystemCollector, type StatfsResult } from './filesystem.ts';

const procfs = procTrees.nodeExporter;
const rootfs = '/nonexistent/root';
const FS: StatfsResult = { bsize: 4096, blocks: 1000, bfree: 600, bavail: 500, files: 100, ffree: 40 };

function withTimeout(seconds: number) {
  return { filesystem: { ...defaultConfig().agent.filesystem, statfs_timeout_seconds: seconds } };
}

/** Promise.withResolvers arrived in Node 22; the agent supports 20. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (reason: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function samples(families: MetricFamily[], name: string) {
  return families.find((f) => f.name === name)?.samples ?? [];
}

describe('filesystemCollector', () => {
  it('reports the mounts of pid 1 that node_exporter’s default excludes keep, statfs’d under rootfs', async () => {
    const statfs = vi.fn(async () => FS);
    const families = await createFilesystemCollector(contextFor({ procfs, rootfs }), { statfs }).collect();

    const vsan = '/var/lib/kubelet/plugins/kubernetes.io/vsphere-volume/mounts/[vsanDatastore]';
    const vmdk =
      'bafb9e5a-8856-7e6c-699c-801844e77a4a/kubernetes-dynamic-pvc-3eba5bba-48a3-11e8-89ab-005056b92113.vmdk';
    expect(samples(families, 'node_filesystem_size_bytes').map((s) => s.labels)).toEqual([
      { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run' },
      { device: '/dev/dm-2', fstype: 'ext4', mountpoint: '/' },
      { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run/lock' },
      { device: '/dev/sda3', fstype: 'ext2', mountpoint: '/boot' },
      { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run/user/1000' },
      { device: 'gvfsd-fuse', fstype: 'fuse.gvfsd-fuse', mountpoint: '/run/user/1000/gvfs' },
      { device: '/dev/sda', fstype: 'ext4', mountpoint: `${vsan} ${vmdk}` },
      { device: '/dev/sda', fstype: 'ext4', mountpoint: `${vsan}\t${vmdk}` },
    ]);
    expect(statfs).toHaveBeenCalledWith(path.join(rootfs, 'boot'));

    const boot = { device: '/dev/sda3', fstype: 'ext2', mountpoint: '/boot' };
    expect(sampleValue(families, 'node_filesystem_size_bytes', boot)).toBe(4096000);
    expect(sampleValue(families, 'node_filesystem_free_bytes', boot)).toBe(2457600);
    expect(sampleValue(families, 'node_filesystem_avail_bytes', boot)).toBe(2048000);
    expect(sampleValue(families, 'node_filesystem_files', boot)).toBe(100);
    expect(sampleValue(families, 'node_filesystem_files_free', boot)).toBe(40);
    expect(sampleValue(families, 'node_filesystem_readonly', boot)).toBe(0);
    expect(sampleValue(families, 'node_filesystem_device_error', boot)).toBe(0);
  });

  it('applies configured excludes', async () => {
    const filesystem = { ...defaultConfig().agent.filesystem, mount_points_exclude: '^/(run|var)($|/)' };
    const ctx = contextFor({ procfs, rootfs }, { filesystem: { ...filesystem, fs_types_exclude: '^ext2$' } });
    const families = await createFilesystemCollector(ctx, { statfs: async () => FS }).collect();
    const mountPoints = samples(families, 'node_filesystem_device_error').map(
      (s) => s.labels.mountpoint ?? '',
    );
    expect(mountPoints).toHaveLength(23);
    expect(mountPoints).toContain('/proc');
    expect(mountPoints).not.toContain('/boot');
    expect(mountPoints.filter((m) => /^\/(run|var)/.test(m))).toEqual([]);
    const cgroup = { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/sys/fs/cgroup' };
    expect(sampleValue(families, 'node_filesystem_readonly', cgroup)).toBe(1);
  });

  it('reports a failing statfs as a device error, without size series', async () => {
    // The default statfs on paths under a rootfs that does not exist: ENOENT for every mount.
    const families = await collectFrom(filesystemCollector, { procfs, rootfs });
    const errors = samples(families, 'node_filesystem_device_error');
    expect(errors).toHaveLength(8);
    expect(errors.every((s) => s.value === 1)).toBe(true);
    expect(samples(families, 'node_filesystem_readonly')).toHaveLength(8);
    expect(families.find((f) => f.name === 'node_filesystem_size_bytes')).toBeUndefined();
  });

  describe('a statfs that never returns', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('times out, and is not asked again until the pending call settles', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const hung = deferred<StatfsResult>();
      const bootIssued = deferred<void>();
      const statfs = vi.fn((file: string) => {
        if (!file.endsWith('/boot')) return Promise.resolve(FS);
        bootIssued.resolve();
        return hung.promise;
      });
      const collector = createFilesystemCollector(contextFor({ procfs, rootfs }, withTimeout(5)), { statfs });
      const boot = { device: '/dev/sda3', fstype: 'ext2', mountpoint: '/boot' };
      const bootCalls = () => statfs.mock.calls.filter(([file]) => file.endsWith('/boot')).length;

      const first = collector.collect();
      await bootIssued.promise;
      await vi.advanceTimersByTimeAsync(5000);
      const stuck = await first;
      expect(sampleValue(stuck, 'node_filesystem_device_error', boot)).toBe(1);
      expect(sampleValue(stuck, 'node_filesystem_size_bytes', boot)).toBeUndefined();
      expect(
        sampleValue(stuck, 'node_filesystem_size_bytes', {
          ...boot,
          device: '/dev/dm-2',
          fstype: 'ext4',
          mountpoint: '/',
        }),
      ).toBe(4096000);

      // With the clock stopped, a scrape that waited on any timer would never finish.
      const again = await collector.collect();
      expect(sampleValue(again, 'node_filesystem_device_error', boot)).toBe(1);
      expect(bootCalls()).toBe(1);

      hung.resolve(FS);
      await hung.promise;
      const recovered = await collector.collect();
      expect(sampleValue(recovered, 'node_filesystem_device_error', boot)).toBe(0);
      expect(sampleValue(recovered, 'node_filesystem_size_bytes', boot)).toBe(4096000);
      expect(bootCalls()).toBe(2);
    });

    it('releases the mount when the late call fails', async () => {
      const hung = deferred<StatfsResult>();
      let calls = 0;
      const statfs = () => {
        calls++;
        return calls === 1 ? hung.promise : Promise.resolve(FS);
      };
      const only = await tempTree('filesystem', {
        '1/mountinfo': '48 45 260:3 / /boot rw,relatime shared:92 - ext2 /dev/sda3 rw\n',
      });
      const collector = createFilesystemCollector(contextFor({ procfs: only, rootfs }, withTimeout(0.01)), {
        statfs,
      });
      expect(
        sampleValue(await collector.collect(), 'node_filesystem_device_error', {
          device: '/dev/sda3',
          fstype: 'ext2',
          mountpoint: '/boot',
        }),
      ).toBe(1);

      hung.reject(Object.assign(new Error('EIO'), { code: 'EIO' }));
      await hung.promise.catch(() => undefined);
      const families = await collector.collect();
      expect(calls).toBe(2);
      expect(
        sampleValue(families, 'node_filesystem_device_error', {
          device: '/dev/sda3',
          fstype: 'ext2',
          mountpoint: '/boot',
        }),
      ).toBe(0);
    });
  });

  describe('mount tables', () => {
    const statfs = async () => FS;

    it('falls back to self/mountinfo, and labels mounts seen under rootfs with the host path', async () => {
      const proc = await tempTree('filesystem', {
        'self/mountinfo': [
          '600 500 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w',
          '601 600 254:0 / /host rw,relatime - ext4 /dev/vda rw',
          '602 601 254:1 / /host/boot ro,relatime - vfat /dev/vda1 rw',
          '603 601 254:2 / /hostile rw,relatime - ext4 /dev/vdb rw',
        ].join('\n'),
      });
      const calls: string[] = [];
      const families = await createFilesystemCollector(contextFor({ procfs: proc, rootfs: '/host' }), {
        statfs: async (file) => {
          calls.push(file);
          return FS;
        },
      }).collect();
      expect(samples(families, 'node_filesystem_readonly')).toEqual([
        { labels: { device: '/dev/vda', fstype: 'ext4', mountpoint: '/' }, value: 0 },
        { labels: { device: '/dev/vda1', fstype: 'vfat', mountpoint: '/boot' }, value: 1 },
        { labels: { device: '/dev/vdb', fstype: 'ext4', mountpoint: '/hostile' }, value: 0 },
      ]);
      expect(calls).toEqual(['/host/', '/host/boot', '/host/hostile']);
    });

    it('falls back to /proc/mounts on kernels without mountinfo', async () => {
      const proc = await tempTree('filesystem', {
        mounts: [
          'proc /proc proc rw,relatime 0 0',
          '/dev/vda / ext4 rw,relatime,discard 0 0',
          'my\\040disk /tmp/bb/mnt\\040point tmpfs ro,relatime,size=1024k 0 0',
        ].join('\n'),
      });
      const families = await createFilesystemCollector(contextFor({ procfs: proc, rootfs }), {
        statfs,
      }).collect();
      expect(samples(families, 'node_filesystem_readonly')).toEqual([
        { labels: { device: '/dev/vda', fstype: 'ext4', mountpoint: '/' }, value: 0 },
        { labels: { device: 'my disk', fstype: 'tmpfs', mountpoint: '/tmp/bb/mnt point' }, value: 1 },
      ]);
    });

    it('reports no data without any mount table', async () => {
      const proc = await tempTree('filesystem', { stat: '' });
      await expect(
        createFilesystemCollector(contextFor({ procfs: proc, rootfs }), { statfs }).collect(),
      ).rejects.toThrow(NoDataError);
    });

    it('reports one series per device, mount point and type when a mount is stacked twice', async () => {
      const line = '40 29 0:42 / /mnt/nfs rw shared:1 - nfs4 192.168.1.1:/srv/test rw,vers=4.0';
      const proc = await tempTree('filesystem', {
        '1/mountinfo': `${line}\n${line.replace('40 29', '41 29')}\n`,
      });
      const families = await createFilesystemCollector(contextFor({ procfs: proc, rootfs }), {
        statfs,
      }).collect();
      expect(samples(families, 'node_filesystem_size_bytes')).toHaveLength(1);
    });
  });

  it.runIf(process.platform === 'linux')('measures this machine’s own filesystems', async () => {
    const paths: Partial<HostPaths> = { procfs: '/proc', rootfs: '/' };
    const families = await collectFrom(filesystemCollector, paths);
    const sizes = samples(families, 'node_filesystem_size_bytes');
    const root = sizes.find((s) => s.labels.mountpoint === '/') ?? sizes[0];
    expect(root?.value).toBeGreaterThan(0);
    for (const { labels, value: size } of sizes) {
      const free = sampleValue(families, 'node_filesystem_free_bytes', labels) ?? Number.NaN;
      const avail = sampleValue(families, 'node_filesystem_avail_bytes', labels) ?? Number.NaN;
      expect(free, labels.mountpoint).toBeLessThanOrEqual(size);
      expect(avail, labels.mountpoint).toBeLessThanOrEqual(free);
    }
  });
});
