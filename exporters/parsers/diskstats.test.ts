import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/support/fixtures.ts';
import { parseDiskstats, parsePartitions } from './diskstats.ts';

// The examples of Documentation/admin-guide/iostats.rst, one per kernel generation.
const IOSTATS_DOC = {
  partitions24: [
    'major minor  #blocks  name     rio rmerge rsect ruse wio wmerge wsect wuse running use aveq',
    '',
    '   3     0   39082680 hda 446216 784926 9550688 4382310 424847 312726 5922052 19310380 0 3376340 23705160',
    '   3     1    9221278 hda1 35486 0 35496 38030 0 0 0 0 0 38030 38030',
  ].join('\n'),
  diskstats26: [
    '   3    0   hda 446216 784926 9550688 4382310 424847 312726 5922052 19310380 0 3376340 23705160',
    '   3    1   hda1 35486 38030 38030 38030',
  ].join('\n'),
  diskstats418:
    '   3    0   hda 446216 784926 9550688 4382310 424847 312726 5922052 19310380 0 3376340 23705160 0 0 0 0',
};

const HDA = {
  major: 3,
  minor: 0,
  device: 'hda',
  readsCompleted: 446216,
  readsMerged: 784926,
  sectorsRead: 9550688,
  readTimeMs: 4382310,
  writesCompleted: 424847,
  writesMerged: 312726,
  sectorsWritten: 5922052,
  writeTimeMs: 19310380,
  ioInProgress: 0,
  ioTimeMs: 3376340,
  weightedIoTimeMs: 23705160,
};

describe('parseDiskstats', () => {
  it('reads the 14-field layout and skips the 4-counter partition lines of 2.6.0–2.6.24', () => {
    expect(parseDiskstats(IOSTATS_DOC.diskstats26)).toEqual([HDA]);
  });

  it('reads the discard counters of 4.18+', () => {
    expect(parseDiskstats(IOSTATS_DOC.diskstats418)).toEqual([
      { ...HDA, discards: { completed: 0, merged: 0, sectors: 0, timeMs: 0 } },
    ]);
  });

  it('reads the flush counters of 5.5+ (captured from a 6.18 VM)', () => {
    const line =
      ' 254       0 vda 34736 7575 1843818 16718 7583 16472 1838136 5217 0 4204 22258 4162 30 105800 278 883 45';
    const [vda] = parseDiskstats(line);
    expect(vda).toMatchObject({ device: 'vda', major: 254, readsCompleted: 34736, weightedIoTimeMs: 22258 });
    expect(vda?.discards).toEqual({ completed: 4162, merged: 30, sectors: 105800, timeMs: 278 });
    expect(vda?.flushes).toEqual({ completed: 883, timeMs: 45 });
  });

  it('reads all three layouts mixed in node_exporter’s fixture', () => {
    const disks = parseDiskstats(readFixture('proc-sys/node_exporter__proc/diskstats'));
    expect(disks).toHaveLength(51);
    const byName = new Map(disks.map((d) => [d.device, d]));
    expect(byName.get('sda')).toMatchObject({ sectorsRead: 1003346126, ioTimeMs: 9653880 });
    expect(byName.get('sda')?.discards).toBeUndefined();
    expect(byName.get('sdb')?.discards).toEqual({
      completed: 68851,
      merged: 0,
      sectors: 1925173784,
      timeMs: 11130,
    });
    expect(byName.get('sdb')?.flushes).toBeUndefined();
    expect(byName.get('sdc')?.flushes).toEqual({ completed: 1555, timeMs: 1944 });
  });

  it('returns nothing for an empty file', () => {
    expect(parseDiskstats('')).toEqual([]);
  });

  it('rejects lines it cannot map instead of shifting counters', () => {
    expect(() => parseDiskstats('   8    0 sda 1 2 3 4 5 6 7 8 9')).toThrow(/line 1/);
    expect(() => parseDiskstats('   8    0 sda 1 2 3 4 5 6 7 8 9 10 x')).toThrow(/line 1/);
  });
});

describe('parsePartitions', () => {
  it('reads the counters a 2.4 kernel appends to /proc/partitions', () => {
    expect(parsePartitions(IOSTATS_DOC.partitions24)).toEqual([
      HDA,
      {
        major: 3,
        minor: 1,
        device: 'hda1',
        readsCompleted: 35486,
        readsMerged: 0,
        sectorsRead: 35496,
        readTimeMs: 38030,
        writesCompleted: 0,
        writesMerged: 0,
        sectorsWritten: 0,
        writeTimeMs: 0,
        ioInProgress: 0,
        ioTimeMs: 38030,
        weightedIoTimeMs: 38030,
      },
    ]);
  });

  it('keeps the negative in-flight count of 2.4-ac whole disks (LKML, 2002-07-26)', () => {
    // "sard I/O accounting bug in -ac", Jan Kasprzak, linux-kernel, head of /proc/partitions.
    const text = [
      'major minor  #blocks  name     rio rmerge rsect ruse wio wmerge wsect wuse running use aveq',
      '',
      '  58     0  204210176 lvma 0 0 0 0 0 0 0 0 0 0 0',
      '  34     0   75068280 hdg 12007096 98830582 885673212 17084202 317257 4005187 34592296 32986598 -1071 22122854 34831850',
      '  34     1   74805696 hdg1 11988002 98662006 885199472 16164162 312861 3983758 34385688 32524318 4 17485050 5748597',
    ].join('\n');
    const disks = parsePartitions(text);
    expect(disks.map((d) => d.device)).toEqual(['lvma', 'hdg', 'hdg1']);
    expect(disks[1]).toMatchObject({
      ioInProgress: -1071,
      sectorsRead: 885673212,
      weightedIoTimeMs: 34831850,
    });
  });

  it('returns nothing for the counter-less /proc/partitions of 2.6+ (captured from a 6.18 VM)', () => {
    expect(parsePartitions('major minor  #blocks  name\n\n 254        0  268435456 vda\n')).toEqual([]);
  });
});
