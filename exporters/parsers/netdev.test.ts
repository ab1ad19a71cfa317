import { describe, expect, it } from 'vitest';
import { parseNetDev } from './netdev.ts';

const HEADER = [
  'Inter-|   Receive                                                |  Transmit',
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
];

describe('parseNetDev', () => {
  it('reads all 16 columns of the current layout (procfs fixture)', () => {
    // prometheus/procfs testdata fixtures/proc/net/dev.
    const text = [
      ...HEADER,
      'vethf345468:     648       8    0    0    0     0          0         0      438       5    0    0    0     0       0          0',
      '    lo: 1664039048 1566805    0    0    0     0          0         0 1664039048 1566805    0    0    0     0       0          0',
      '  eth0: 874354587 1036395    0    0    0     0          0         0 563352563  732147    0    0    0     0       0          0',
    ].join('\n');
    const devices = parseNetDev(text);
    expect(devices.map((d) => d.device)).toEqual(['vethf345468', 'lo', 'eth0']);
    expect(devices[2]).toEqual({
      device: 'eth0',
      receive: {
        bytes: 874354587,
        packets: 1036395,
        errs: 0,
        drop: 0,
        fifo: 0,
        frame: 0,
        compressed: 0,
        multicast: 0,
      },
      transmit: {
        bytes: 563352563,
        packets: 732147,
        errs: 0,
        drop: 0,
        fifo: 0,
        colls: 0,
        carrier: 0,
        compressed: 0,
      },
    });
  });

  it('puts each column where the header says', () => {
    const text = [...HEADER, '  eth9: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16'].join('\n');
    expect(parseNetDev(text)).toEqual([
      {
        device: 'eth9',
        receive: { bytes: 1, packets: 2, errs: 3, drop: 4, fifo: 5, frame: 6, compressed: 7, multicast: 8 },
        transmit: {
          bytes: 9,
          packets: 10,
          errs: 11,
          drop: 12,
          fifo: 13,
          colls: 14,
          carrier: 15,
          compressed: 16,
        },
      },
    ]);
  });

  it('splits a name glued to its counter by the %6s:%8lu format of older kernels', () => {
    const text = [
      ...HEADER,
      '  eth0:3449443498 6166716    0    0    0     0          0         0 1462049016 5655457    0    0    0     0       0          0',
    ].join('\n');
    const [eth0] = parseNetDev(text);
    expect(eth0?.device).toBe('eth0');
    expect(eth0?.receive.bytes).toBe(3449443498);
    expect(eth0?.transmit.bytes).toBe(1462049016);
  });

  it('reads a 2.0 kernel: no byte counters, a device without statistics', () => {
    // Quoted from a comment in xtleds, a 1990s keyboard-LED load meter, leading blanks as printed there.
    const text = [
      'Inter-|   Receive                  |  Transmit',
      'face |packets errs drop fifo frame|packets errs drop fifo colls carrier',
      'lo:      2    0    0    0    0        2    0    0    0     0    0',
      'eth0:   3154    0    0    0    0     2553    0    0    0     0    0',
      'dummy: No statistics available.',
      'ppp0:  26619    0    0    0    0    42230    0    0    0     0    0',
    ].join('\n');
    const devices = parseNetDev(text);
    expect(devices.map((d) => d.device)).toEqual(['lo', 'eth0', 'ppp0']);
    expect(devices[1]).toEqual({
      device: 'eth0',
      receive: { packets: 3154, errs: 0, drop: 0, fifo: 0, frame: 0 },
      transmit: { packets: 2553, errs: 0, drop: 0, fifo: 0, colls: 0, carrier: 0 },
    });
  });

  it('keeps the alias colon of a 2.0 device name', () => {
    const text = [
      'Inter-|   Receive                  |  Transmit',
      ' face |packets errs drop fifo frame|packets errs drop fifo colls carrier',
      'eth0:1:     12    0    0    0    0       34    0    0    0     0    0',
    ].join('\n');
    expect(parseNetDev(text)[0]?.device).toBe('eth0:1');
  });

  it('fails on a row that does not match its header rather than misplace counters', () => {
    expect(() => parseNetDev([...HEADER, '  eth0: 1 2 3'].join('\n'))).toThrow(/16 counters for eth0/);
    expect(() => parseNetDev('  eth0: 1 2 3')).toThrow(/header/);
  });
});
