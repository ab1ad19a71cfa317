import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { parseDfPk, parseMountinfo, parseMounts } from './mountinfo.ts';

// Captured on a 6.18 VM after `mount -t tmpfs -o size=1m,ro "my disk" "/tmp/bb/mnt point"`,
// `mount -t tmpfs "" /tmp/bb/e` and a tmpfs on a directory named "t<TAB>ab".
const MOUNTINFO_CAPTURE = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534',
  '63 43 0:39 / /tmp/bb/mnt\\040point ro,relatime - tmpfs my\\040disk ro,size=1024k',
  '63 43 0:39 / /tmp/bb/e rw,relatime - tmpfs  rw',
  '64 43 0:40 / /tmp/bb/t\\011ab rw,relatime - tmpfs tmpfs rw,size=2048k',
].join('\n');

const MOUNTS_CAPTURE = [
  'proc /proc proc rw,relatime 0 0',
  '/dev/vda / ext4 rw,relatime,discard,resv_strict,resuid=65534,resgid=65534 0 0',
  'model_tools_unavailable /mnt/sandboxing/model_tools_env/v1/python tmpfs ro,nosuid,nodev,relatime,size=4k,mode=755 0 0',
  'my\\040disk /tmp/bb/mnt\\040point tmpfs ro,relatime,size=1024k 0 0',
  ' /tmp/bb/e tmpfs rw,relatime 0 0',
  'tmpfs /tmp/bb/t\\011ab tmpfs rw,relatime,size=2048k 0 0',
].join('\n');

describe('parseMountinfo', () => {
  it('separates mount and superblock options and decodes octal escapes', () => {
    expect(parseMountinfo(MOUNTINFO_CAPTURE)).toEqual([
      {
        device: '/dev/vda',
        mountPoint: '/',
        fsType: 'ext4',
        options: ['rw', 'relatime'],
        superOptions: ['rw', 'discard', 'resv_strict', 'resuid=65534', 'resgid=65534'],
      },
      {
        device: 'my disk',
        mountPoint: '/tmp/bb/mnt point',
        fsType: 'tmpfs',
        options: ['ro', 'relatime'],
        superOptions: ['ro', 'size=1024k'],
      },
      {
        device: '',
        mountPoint: '/tmp/bb/e',
        fsType: 'tmpfs',
        options: ['rw', 'relatime'],
        superOptions: ['rw'],
      },
      {
        device: 'tmpfs',
        mountPoint: '/tmp/bb/t\tab',
        fsType: 'tmpfs',
        options: ['rw', 'relatime'],
        superOptions: ['rw', 'size=2048k'],
      },
    ]);
  });

  it('skips optional fields and reads node_exporter’s fixtures', () => {
    const mounts = parseMountinfo(readFixture('proc-sys/node_exporter__proc/1/mountinfo'));
    expect(mounts).toHaveLength(32);
    expect(mounts.find((m) => m.mountPoint === '/')).toMatchObject({ device: '/dev/dm-2', fsType: 'ext4' });
    expect(mounts.filter((m) => m.mountPoint.includes('[vsanDatastore] bafb9e5a'))).toHaveLength(1);
    expect(mounts.filter((m) => m.mountPoint.includes('[vsanDatastore]\tbafb9e5a'))).toHaveLength(1);

    const self = parseMountinfo(readFixture('proc-sys/node_exporter__proc/10/mountinfo'));
    // Its first line has two blanks between root and mount point.
    expect(self[0]).toMatchObject({ device: 'rootfs', mountPoint: '/root', fsType: 'rootfs' });
    expect(self.find((m) => m.fsType === 'nfs')).toMatchObject({ device: '192.168.1.1:/srv/test' });
  });

  it('tolerates CRLF and blank lines, and rejects a line without the separator', () => {
    expect(parseMountinfo(`\n${MOUNTINFO_CAPTURE.replaceAll('\n', '\r\n')}\r\n`)).toHaveLength(4);
    expect(() => parseMountinfo('27 1 254:0 / / rw,relatime ext4 /dev/vda rw')).toThrow(/line 1/);
  });
});

describe('parseMounts', () => {
  it('reads /proc/mounts, including an empty source', () => {
    const mounts = parseMounts(MOUNTS_CAPTURE);
    expect(mounts.map((m) => [m.device, m.mountPoint, m.fsType])).toEqual([
      ['proc', '/proc', 'proc'],
      ['/dev/vda', '/', 'ext4'],
      ['model_tools_unavailable', '/mnt/sandboxing/model_tools_env/v1/python', 'tmpfs'],
      ['my disk', '/tmp/bb/mnt point', 'tmpfs'],
      ['', '/tmp/bb/e', 'tmpfs'],
      ['tmpfs', '/tmp/bb/t\tab', 'tmpfs'],
    ]);
    expect(mounts[2]?.options).toContain('ro');
    expect(mounts[2]?.superOptions).toEqual([]);
  });

  it('rejects a truncated line', () => {
    expect(() => parseMounts('proc /proc')).toThrow(/line 1/);
  });
});

describe('parseDfPk', () => {
  it('reads GNU coreutils 9.1 output, blanks in names included', () => {
    const text = [
      'Filesystem              1024-blocks     Used Available Capacity Mounted on',
      'devtmpfs                   12334492        0  12334492       0% /dev',
      '/dev/vda                  264212084 23358124  83032788      22% /',
      'model_tools_unavailable           4        0         4       0% /mnt/sandboxing/model_tools_env/v1/python',
      'my disk               1024     0      1024       0% /tmp/bb/mnt point',
      '                  12342044     0  12342044       0% /tmp/bb/e',
      '',
    ].join('\n');
    expect(parseDfPk(text)).toEqual([
      {
        filesystem: 'devtmpfs',
        mountPoint: '/dev',
        sizeBytes: 12630519808,
        usedBytes: 0,
        availBytes: 12630519808,
      },
      {
        filesystem: '/dev/vda',
        mountPoint: '/',
        sizeBytes: 264212084 * 1024,
        usedBytes: 23358124 * 1024,
        availBytes: 83032788 * 1024,
      },
      {
        filesystem: 'model_tools_unavailable',
        mountPoint: '/mnt/sandboxing/model_tools_env/v1/python',
        sizeBytes: 4096,
        usedBytes: 0,
        availBytes: 4096,
      },
      {
        filesystem: 'my disk',
        mountPoint: '/tmp/bb/mnt point',
        sizeBytes: 1048576,
        usedBytes: 0,
        availBytes: 1048576,
      },
      {
        filesystem: '',
        mountPoint: '/tmp/bb/e',
        sizeBytes: 12638253056,
        usedBytes: 0,
        availBytes: 12638253056,
      },
    ]);
  });

  it('reads BusyBox 1.35 output', () => {
    const text = [
      'Filesystem           1024-blocks    Used Available Capacity Mounted on',
      'devtmpfs              12334492         0  12334492   0% /dev',
      '/dev/vda             264212084  23361124  83029788  22% /',
      'model_tools_unavailable            4         0         4   0% /mnt/sandboxing/model_tools_env/v1/python',
      'my disk                   1024         0      1024   0% /tmp/bb/mnt point',
    ].join('\n');
    const entries = parseDfPk(text);
    expect(entries.map((e) => [e.filesystem, e.mountPoint])).toEqual([
      ['devtmpfs', '/dev'],
      ['/dev/vda', '/'],
      ['model_tools_unavailable', '/mnt/sandboxing/model_tools_env/v1/python'],
      ['my disk', '/tmp/bb/mnt point'],
    ]);
    expect(entries[1]).toMatchObject({ sizeBytes: 264212084 * 1024, availBytes: 83029788 * 1024 });
  });

  it('takes the block size from the header and keeps empty pseudo filesystems (POSIXLY_CORRECT=1 df -Pa)', () => {
    const text = [
      'Filesystem              512-blocks     Used Available Capacity Mounted on',
      'proc                             0        0         0        - /proc',
      'devtmpfs                  24668984        0  24668984       0% /dev',
    ].join('\n');
    expect(parseDfPk(text)).toEqual([
      { filesystem: 'proc', mountPoint: '/proc', sizeBytes: 0, usedBytes: 0, availBytes: 0 },
      {
        filesystem: 'devtmpfs',
        mountPoint: '/dev',
        sizeBytes: 12630519808,
        usedBytes: 0,
        availBytes: 12630519808,
      },
    ]);
  });

  it('rejects output that is not df -P', () => {
    expect(() => parseDfPk('Filesystem     Size  Used Avail Use% Mounted on')).toThrow(/header/);
  });
});
