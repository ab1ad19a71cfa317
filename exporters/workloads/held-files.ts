import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { isMissing } from '../collector.ts';

/** How many scrapes a file found missing is not asked for again (a controller enabled later shows up). */
const MISSING_FOR_SCRAPES = 40;

/**
 * Cgroup files read on every scrape, kept open and re-read with pread at offset 0: kernfs generates the
 * content afresh on each read, and skipping open/close is most of the cost (measured on cgroupfs:
 * 1.3 µs a pread against 5.2–5.6 µs for open, read and close; open alone was 5.9 of the 14 ms that
 * 500 cgroups took). Files of cgroups not seen in a scrape are closed at its end, and no more than a
 * quarter of the process's descriptor limit is ever held, so sockets never run short.
 */
export class HeldFiles {
  private readonly fds = new Map<string, number>();
  private readonly missing = new Map<string, number>();
  private touched = new Set<string>();
  private buffer = Buffer.allocUnsafe(16 * 1024);
  private scrape = 0;

  constructor(private readonly max: number = defaultMaxHeld()) {}

  /** Reads a file's whole current content; undefined when it does not exist. */
  readonly read = (file: string): string | undefined => {
    this.touched.add(file);
    const held = this.fds.get(file);
    if (held !== undefined) {
      try {
        return this.pread(held);
      } catch {
        // The cgroup went away under us (ENODEV); try it afresh below.
        this.close(file);
      }
    }
    const fd = this.open(file);
    if (fd === undefined) return undefined;
    if (this.fds.size >= this.max) {
      try {
        return this.pread(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.fds.set(file, fd);
    return this.pread(fd);
  };

  /** Reads a file the same way without keeping it open: the files read only in turn. */
  readonly readOnce = (file: string): string | undefined => {
    const fd = this.open(file);
    if (fd === undefined) return undefined;
    try {
      return this.pread(fd);
    } finally {
      closeSync(fd);
    }
  };

  /**
   * Opens a file, or undefined when it is missing, remembered for a while: a failed open costs about
   * 7 µs in Node (an exception with its stack), more than reading a file that is there.
   */
  private open(file: string): number | undefined {
    const missingSince = this.missing.get(file);
    if (missingSince !== undefined && this.scrape - missingSince < MISSING_FOR_SCRAPES) return undefined;
    try {
      const fd = openSync(file, 'r');
      this.missing.delete(file);
      return fd;
    } catch (err) {
      if (!isMissing(err)) throw err;
      this.missing.set(file, this.scrape);
      return undefined;
    }
  }

  /** Closes what this scrape did not read (cgroups that are gone), and starts counting the next. */
  endScrape(): void {
    for (const file of this.fds.keys()) if (!this.touched.has(file)) this.close(file);
    // By age, not by use: files read in turn are asked for only every few scrapes.
    for (const [file, since] of this.missing)
      if (this.scrape - since >= MISSING_FOR_SCRAPES) this.missing.delete(file);
    this.touched = new Set();
    this.scrape++;
  }

  get size(): number {
    return this.fds.size;
  }

  private close(file: string): void {
    const fd = this.fds.get(file);
    this.fds.delete(file);
    if (fd !== undefined) closeSync(fd);
  }

  private pread(fd: number): string {
    let length = 0;
    for (;;) {
      const wanted = this.buffer.length - length;
      const n = readSync(fd, this.buffer, length, wanted, length);
      length += n;
      // kernfs shows a cgroup file as one record, so a short read is its end: no second read for the 0.
      if (n < wanted) break;
      if (length === this.buffer.length) {
        const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
        this.buffer.copy(bigger);
        this.buffer = bigger;
      }
    }
    return this.buffer.toString('utf8', 0, length);
  }
}

/** A quarter of the soft limit on open files (/proc/self/limits), at most 4,096. */
function defaultMaxHeld(): number {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return soft ? Math.min(4096, Math.floor(Number(soft) / 4)) : 256;
  } catch {
    return 256;
  }
}
