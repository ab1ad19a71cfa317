import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import {
  flatKeyedValue,
  parseBlkioV1,
  parseFlatKeyed,
  parseIoStatV2,
  parseLimit,
  parseProcCgroup,
  parseSingleValue,
} from './cgroup.ts';

const DOCKER = 'cgroup/v2_docker-container-scope';
const SLICE = 'cgroup/v2_system.slice';
const SESSION = 'cgroup/v2_user-session-scope_kernel6';
const K8S_V1 = 'cgroup/v1_k8s-containerd-container_amzn2';

describe('parseFlatKeyed', () => {
  it('reads v2 cpu.stat (docker scope)', () => {
    expect(parseFlatKeyed(readFixture(DOCKER, 'cpu.stat'), 'cpu.stat')).toEqual(
      new Map([
        ['usage_usec', 26772130245],
        ['user_usec', 20979069928],
        ['system_usec', 5793060316],
        ['nr_periods', 1],
        ['nr_throttled', 4],
        ['throttled_usec', 10],
      ]),
    );
  });

  it("reads kernel 6's cpu.stat, with a dotted key and burst counters", () => {
    const stat = parseFlatKeyed(readFixture(SESSION, 'cpu.stat'), 'cpu.stat');
    expect(stat.size).toBe(9);
    expect(stat.get('core_sched.force_idle_usec')).toBe(0);
    expect(stat.get('usage_usec')).toBe(3611347518);
    expect(stat.get('nr_bursts')).toBe(0);
  });

  it('reads the v1 files: cpu.stat, cpuacct.stat, memory.stat', () => {
    expect(parseFlatKeyed(readFixture(K8S_V1, 'cpu/cpu.stat'), 'cpu.stat')).toEqual(
      new Map([
        ['nr_periods', 0],
        ['nr_throttled', 0],
        ['throttled_time', 0],
      ]),
    );
    expect(parseFlatKeyed(readFixture(K8S_V1, 'cpu/cpuacct.stat'), 'cpuacct.stat')).toEqual(
      new Map([
        ['user', 10848891],
        ['system', 1516502],
      ]),
    );
    const memory = parseFlatKeyed(readFixture(K8S_V1, 'memory/memory.stat'), 'memory.stat');
    expect(memory.size).toBe(36);
    expect(memory.get('hierarchical_memory_limit')).toBe(2147483648);
    expect(memory.get('total_inactive_file')).toBe(78557184);
  });

  it('reads memory.events and pids.events, whose "max" is a key, not a value', () => {
    expect(parseFlatKeyed(readFixture(DOCKER, 'memory.events'), 'memory.events')).toEqual(
      new Map([
        ['low', 10],
        ['high', 3],
        ['max', 2],
        ['oom', 1],
        ['oom_kill', 1],
      ]),
    );
    expect(parseFlatKeyed(readFixture(SESSION, 'pids.events'), 'pids.events')).toEqual(new Map([['max', 0]]));
  });

  it('reads an empty file as no keys', () => {
    expect(parseFlatKeyed('', 'cpu.stat').size).toBe(0);
  });

  it.each([
    ['a key without a value', 'usage_usec\n', 'cpu.stat: expected "key value", got "usage_usec"'],
    ['a value without a key', ' 12\n', 'cpu.stat: expected "key value", got " 12"'],
    [
      'a word for a value',
      'usage_usec abc\n',
      'cpu.stat usage_usec: expected an unsigned integer, got "abc"',
    ],
    ['a negative value', 'nr_periods -1\n', 'cpu.stat nr_periods: expected an unsigned integer, got "-1"'],
    ['two values', 'user_usec 1 2\n', 'cpu.stat user_usec: expected an unsigned integer, got "1 2"'],
    ['a cut-off value', 'usage_usec 26772130245\nuser_usec \n', 'cpu.stat user_usec: expected an unsigned'],
  ])('throws on %s, naming the file and key', (_case, text, message) => {
    expect(() => parseFlatKeyed(text, 'cpu.stat')).toThrow(message);
  });
});

describe('flatKeyedValue', () => {
  it("finds memory.stat's inactive_file in each fixture", () => {
    expect(flatKeyedValue(readFixture(DOCKER, 'memory.stat'), 'inactive_file', 'memory.stat')).toBe(270336);
    expect(flatKeyedValue(readFixture(SLICE, 'memory.stat'), 'inactive_file', 'memory.stat')).toBe(
      6605029376,
    );
    expect(flatKeyedValue(readFixture(SESSION, 'memory.stat'), 'inactive_file', 'memory.stat')).toBe(
      6685749248,
    );
    const v1 = readFixture(K8S_V1, 'memory/memory.stat');
    expect(flatKeyedValue(v1, 'total_inactive_file', 'memory.stat')).toBe(78557184);
  });

  it('matches whole keys at the start of a line only', () => {
    const text = 'total_inactive_file 5\ninactive_file 3\n';
    expect(flatKeyedValue(text, 'inactive_file', 'memory.stat')).toBe(3);
    expect(flatKeyedValue('total_inactive_file 5\n', 'inactive_file', 'memory.stat')).toBeUndefined();
    expect(flatKeyedValue('inactive_file_x 5\n', 'inactive_file', 'memory.stat')).toBeUndefined();
  });

  it('finds the first line and a last line without a newline', () => {
    expect(flatKeyedValue('anon 1\nfile 2', 'anon', 'memory.stat')).toBe(1);
    expect(flatKeyedValue('anon 1\nfile 2', 'file', 'memory.stat')).toBe(2);
  });

  it('throws on a damaged value of the key it looks for', () => {
    expect(() => flatKeyedValue('anon 1\ninactive_file 12x\n', 'inactive_file', 'memory.stat')).toThrow(
      'memory.stat inactive_file: expected an unsigned integer, got "12x"',
    );
  });
});

describe('parseSingleValue', () => {
  it('reads cpuacct.usage, memory.current, memory.usage_in_bytes and pids.current', () => {
    expect(parseSingleValue(readFixture(K8S_V1, 'cpu/cpuacct.usage'), 'cpuacct.usage')).toBe(124659500367000);
    expect(parseSingleValue(readFixture(DOCKER, 'memory.current'), 'memory.current')).toBe(9125888);
    expect(parseSingleValue(readFixture(K8S_V1, 'memory/memory.usage_in_bytes'), 'm')).toBe(1215860736);
    expect(parseSingleValue(readFixture(SESSION, 'pids.current'), 'pids.current')).toBe(148);
  });

  it('accepts a value without a final newline', () => {
    expect(parseSingleValue('42', 'pids.current')).toBe(42);
  });

  it.each([
    ['empty', ''],
    ['"max"', 'max\n'],
    ['negative', '-1\n'],
    ['trailing blank', '12 \n'],
    ['two lines', '1\n2\n'],
  ])('throws on %s text', (_case, text) => {
    expect(() => parseSingleValue(text, '/sys/fs/cgroup/x/memory.current')).toThrow(
      '/sys/fs/cgroup/x/memory.current: expected an unsigned integer',
    );
  });
});

describe('parseLimit', () => {
  it('reads "max" as unlimited (undefined)', () => {
    expect(parseLimit(readFixture(DOCKER, 'memory.max'), 'memory.max')).toBeUndefined();
    expect(parseLimit(readFixture(SESSION, 'pids.max'), 'pids.max')).toBeUndefined();
  });

  it('reads a set limit', () => {
    expect(parseLimit(readFixture(K8S_V1, 'memory/memory.limit_in_bytes'), 'limit')).toBe(2147483648);
    expect(parseLimit(readFixture(DOCKER, 'memory.low'), 'memory.low')).toBe(4);
    expect(parseLimit('0\n', 'memory.max')).toBe(0);
  });

  it("reads v1's unlimited page count as unlimited, whatever the page size", () => {
    expect(parseLimit('9223372036854771712\n', 'memory.limit_in_bytes')).toBeUndefined(); // 4 KiB pages
    expect(parseLimit('9223372036854710272\n', 'memory.limit_in_bytes')).toBeUndefined(); // 64 KiB pages
  });

  it('throws on anything else', () => {
    expect(() => parseLimit('unlimited\n', 'memory.max')).toThrow(
      'memory.max: expected an unsigned integer, got "unlimited"',
    );
    expect(() => parseLimit('-1\n', 'memory.limit_in_bytes')).toThrow('memory.limit_in_bytes: expected');
  });
});

describe('parseIoStatV2', () => {
  it('reads one record per device (docker scope)', () => {
    expect(parseIoStatV2(readFixture(DOCKER, 'io.stat'), 'io.stat')).toEqual(
      new Map([
        ['8:0', { rbytes: 512, wbytes: 4096, rios: 100, wios: 1, dbytes: 5, dios: 23 }],
        ['253:0', { rbytes: 1024, wbytes: 4096, rios: 1, wios: 1, dbytes: 6, dios: 8 }],
      ]),
    );
  });

  it('reads system.slice: a disk and the device-mapper volume on it', () => {
    expect(parseIoStatV2(readFixture(SLICE, 'io.stat'), 'io.stat')).toEqual(
      new Map([
        ['252:0', { rbytes: 4096, wbytes: 4096, rios: 1, wios: 1, dbytes: 0, dios: 0 }],
        [
          '8:0',
          { rbytes: 14598439936, wbytes: 613809529856, rios: 151279, wios: 47321130, dbytes: 0, dios: 0 },
        ],
        [
          '253:0',
          { rbytes: 14590931456, wbytes: 613804409344, rios: 150746, wios: 44621629, dbytes: 0, dios: 0 },
        ],
      ]),
    );
  });

  it('gives the counters after a run of ids (Linux 5.15–5.18) to the last id; the idle ones are left out', () => {
    expect(parseIoStatV2(readFixture('cgroup/io.stat/ubuntu_io.stat'), 'io.stat')).toEqual(
      new Map([
        ['7:4', { rbytes: 556032, wbytes: 0, rios: 78, wios: 0, dbytes: 0, dios: 0 }],
        ['7:3', { rbytes: 21017600, wbytes: 0, rios: 629, wios: 0, dbytes: 0, dios: 0 }],
      ]),
    );
  });

  it('accepts a file that ends in ids alone, without a newline (ubuntu2)', () => {
    const devices = parseIoStatV2(readFixture('cgroup/io.stat/ubuntu2_io.stat'), 'io.stat');
    expect([...devices.keys()]).toEqual(['253:0', '259:0']);
    expect(devices.get('259:0')).toEqual({
      rbytes: 48963873792,
      wbytes: 217588278272,
      rios: 1315370,
      wios: 15358572,
      dbytes: 3222265856,
      dios: 24,
    });
  });

  it('skips the id-only lines of fixed kernels and policy-only lines; ignores keys after the counters', () => {
    const text = [
      '7:7 ',
      '8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6 cost.vrate=100.00 cost.usage=7 use_delay=0',
      '8:16 depth=max avg_lat=0 win=0',
      '',
    ].join('\n');
    expect(parseIoStatV2(text, 'io.stat')).toEqual(
      new Map([['8:0', { rbytes: 1, wbytes: 2, rios: 3, wios: 4, dbytes: 5, dios: 6 }]]),
    );
  });

  it('reads a kernel before 5.0, without dbytes and dios', () => {
    expect(parseIoStatV2('8:0 rbytes=1 wbytes=2 rios=3 wios=4\n', 'io.stat')).toEqual(
      new Map([['8:0', { rbytes: 1, wbytes: 2, rios: 3, wios: 4 }]]),
    );
  });

  it('reads an empty file (no I/O yet) as no devices', () => {
    expect(parseIoStatV2('', 'io.stat').size).toBe(0);
  });

  it.each([
    ['a missing counter', '8:0 rbytes=1 wbytes=2 rios=3 dbytes=0 dios=0'],
    ['a word for a count', '8:0 rbytes=x wbytes=2 rios=3 wios=4'],
    ['a count with a suffix', '8:0 rbytes=1 wbytes=2 rios=3 wios=4k'],
    ['counters without a device', 'rbytes=1 wbytes=2 rios=3 wios=4'],
    ['a line that is not io.stat', 'Total 28652032'],
  ])('throws on %s', (_case, line) => {
    expect(() => parseIoStatV2(`253:0 rbytes=1 wbytes=1 rios=1 wios=1\n${line}\n`, '/cg/io.stat')).toThrow(
      `/cg/io.stat: expected "MAJ:MIN rbytes=N wbytes=N rios=N wios=N …", got "${line}"`,
    );
  });
});

describe('parseBlkioV1', () => {
  it('reads Read and Write per device from io_service_bytes and io_serviced', () => {
    const bytes = readFixture(K8S_V1, 'blkio/blkio.throttle.io_service_bytes');
    expect(parseBlkioV1(bytes, 'io_service_bytes')).toEqual(
      new Map([['259:0', { read: 3448832, write: 25203200 }]]),
    );
    const ios = readFixture(K8S_V1, 'blkio/blkio.throttle.io_serviced');
    expect(parseBlkioV1(ios, 'io_serviced')).toEqual(new Map([['259:0', { read: 59, write: 5048 }]]));
  });

  it('reads several devices, and a cgroup without I/O ("Total 0") as none', () => {
    const text = '8:0 Read 1\n8:0 Write 2\n8:0 Total 3\n8:16 Read 4\n8:16 Write 5\n8:16 Total 9\nTotal 12\n';
    expect(parseBlkioV1(text, 'f')).toEqual(
      new Map([
        ['8:0', { read: 1, write: 2 }],
        ['8:16', { read: 4, write: 5 }],
      ]),
    );
    expect(parseBlkioV1('Total 0\n', 'f').size).toBe(0);
  });

  it('throws on a damaged line or a device without a Read or Write line', () => {
    expect(() => parseBlkioV1('259:0 Read x\n', 'f')).toThrow('f 259:0 Read: expected an unsigned integer');
    expect(() => parseBlkioV1('259:0 Read\n', 'f')).toThrow('f: expected "MAJ:MIN Operation count", got');
    expect(() => parseBlkioV1('sda Read 1\n', 'f')).toThrow('f: expected "MAJ:MIN Operation count"');
    expect(() => parseBlkioV1('Total -\n', 'f')).toThrow('f Total: expected an unsigned integer');
    expect(() => parseBlkioV1('259:0 Read 1\n259:0 Total 1\n', 'f')).toThrow('f: 259:0 has no Write line');
  });
});

describe('parseProcCgroup', () => {
  it("keeps the kernel-6 fixture's path outside the reader's namespace as printed", () => {
    expect(parseProcCgroup(readFixture(SESSION, 'proc/pid_cgroup'), '/proc/2233801/cgroup')).toEqual({
      v2Path: '/../../user-1000.slice/session-520.scope',
      v1: new Map(),
    });
  });

  it('reads a hybrid system: v1 controllers, co-mounted ones and named hierarchies, and the v2 line', () => {
    const text = [
      '9:name=systemd:/system.slice/docker.service',
      '4:memory:/kubepods/burstable/pod1/abc',
      '2:cpu,cpuacct:/kubepods/burstable/pod1/abc',
      '0::/system.slice/docker.service',
      '',
    ].join('\n');
    expect(parseProcCgroup(text, 'cgroup')).toEqual({
      v2Path: '/system.slice/docker.service',
      v1: new Map([
        ['name=systemd', '/system.slice/docker.service'],
        ['memory', '/kubepods/burstable/pod1/abc'],
        ['cpu', '/kubepods/burstable/pod1/abc'],
        ['cpuacct', '/kubepods/burstable/pod1/abc'],
      ]),
    });
  });

  it('leaves v2Path absent on a v1-only system and keeps colons inside a path', () => {
    expect(parseProcCgroup('3:pids:/a:b\n', 'cgroup')).toStrictEqual({ v1: new Map([['pids', '/a:b']]) });
  });

  it.each([
    ['no colons', '/system.slice'],
    ['one colon', '0:/system.slice'],
    ['a relative path', '0::system.slice'],
    ['a hierarchy ID that is not a number', 'x::/'],
  ])('throws on %s', (_case, line) => {
    expect(() => parseProcCgroup(`${line}\n`, '/proc/1/cgroup')).toThrow('/proc/1/cgroup');
  });
});
