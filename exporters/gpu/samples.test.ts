import { describe, expect, it } from 'vitest';
import type { GpuReading } from '../parsers/nvidia-smi.ts';
import { SampleAssembler } from './samples.ts';

const line = (index: number, count: number, watts = 1): GpuReading => ({
  index,
  count,
  uuid: `GPU-${index}`,
  name: 'GPU',
  powerWatts: watts,
  utilization: {},
  temperatureCelsius: {},
  clocksHertz: {},
  maxClocksHertz: {},
  eccErrors: { corrected: {}, uncorrected: {} },
  retiredPages: {},
});

describe('SampleAssembler', () => {
  it('completes a sample when every GPU of the tick has its line', () => {
    const a = new SampleAssembler();
    expect(a.add(line(0, 2))).toBeUndefined();
    expect(a.add(line(1, 2))?.map((g) => g.index)).toEqual([0, 1]);
    expect(a.add(line(0, 2))).toBeUndefined();
  });

  it('completes every line of a one-GPU machine', () => {
    const a = new SampleAssembler();
    expect(a.add(line(0, 1))).toHaveLength(1);
    expect(a.add(line(0, 1))).toHaveLength(1);
  });

  it('never serves a tick with a GPU missing: a repeated index starts the tick again', () => {
    const a = new SampleAssembler();
    a.add(line(0, 3, 10));
    a.add(line(1, 3, 10));
    // GPU 2 did not answer; the next tick starts.
    expect(a.add(line(0, 3, 20))).toBeUndefined();
    expect(a.add(line(1, 3, 20))).toBeUndefined();
    const sample = a.add(line(2, 3, 20));
    expect(sample?.map((g) => g.powerWatts)).toEqual([20, 20, 20]);
  });

  it('orders a sample by index, whatever order the lines came in', () => {
    const a = new SampleAssembler();
    a.add(line(1, 2));
    expect(a.add(line(0, 2))?.map((g) => g.index)).toEqual([0, 1]);
  });

  it('forgets a partial tick when cleared', () => {
    const a = new SampleAssembler();
    a.add(line(0, 2));
    a.clear();
    expect(a.add(line(1, 2))).toBeUndefined();
  });
});
