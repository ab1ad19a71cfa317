import type { GpuReading } from '../parsers/nvidia-smi.ts';

/**
 * Groups the stream's lines into ticks: nvidia-smi prints one line per GPU per interval, in index order,
 * and a sample is complete when every GPU's line of the tick has arrived. A line for a GPU already seen
 * means the tick before was cut short (a GPU that did not answer), so that one is dropped, never served
 * half-filled.
 */
export class SampleAssembler {
  private pending = new Map<number, GpuReading>();

  /** Adds one GPU's line; returns the sample it completes, ordered by index, if it does. */
  add(reading: GpuReading): GpuReading[] | undefined {
    if (this.pending.has(reading.index)) this.pending.clear();
    this.pending.set(reading.index, reading);
    if (this.pending.size < reading.count) return undefined;
    const complete = [...this.pending.values()].sort((a, b) => a.index - b.index);
    this.pending = new Map();
    return complete;
  }

  /** Forgets a partial tick, when the process that printed it is gone. */
  clear(): void {
    this.pending.clear();
  }
}
