import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { isMissing } from './collector.ts';

/** The readable attribute files of one sysfs device directory, and the ones that could not be read. */
export interface SysfsAttributes {
  values: Map<string, string>;
  /** File name → errno code ("EIO", "ENODATA"…): a flaky sensor, reported by the caller as it sees fit. */
  failed: Map<string, string>;
}

export interface SysfsClassEntry extends SysfsAttributes {
  /** "hwmon3", "thermal_zone0"… */
  name: string;
  path: string;
}

/**
 * Reads the attribute files of `dir` that `wanted` accepts, all at once. A file that cannot be read
 * (a sensor that answers EIO or EAGAIN while its bus is busy, a disabled zone's ENODATA) lands in
 * `failed` instead of failing its siblings. Undefined when the directory is gone or not a directory.
 */
export async function readSysfsAttributes(
  dir: string,
  wanted: (file: string) => boolean,
): Promise<SysfsAttributes | undefined> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  const values = new Map<string, string>();
  const failed = new Map<string, string>();
  const files = entries.filter((e) => !e.isDirectory() && wanted(e.name)).map((e) => e.name);
  await Promise.all(
    files.map(async (file) => {
      try {
        values.set(file, await readFile(path.join(dir, file), 'utf8'));
      } catch (err) {
        failed.set(file, (err as NodeJS.ErrnoException).code ?? String(err));
      }
    }),
  );
  return { values, failed };
}

/**
 * Reads every device of a sysfs class directory (/sys/class/hwmon, /sys/class/thermal) whose entry
 * name matches `entry`, keeping the files `wanted` accepts. Undefined when the class directory does not
 * exist (the kernel has no such drivers); devices that vanish mid-read are left out.
 */
export async function readSysfsClass(
  classDir: string,
  entry: RegExp,
  wanted: (file: string) => boolean,
): Promise<SysfsClassEntry[] | undefined> {
  let names: string[];
  try {
    names = (await readdir(classDir)).filter((name) => entry.test(name));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  const read = await Promise.all(
    names.map(async (name) => {
      const dir = path.join(classDir, name);
      const attributes = await readSysfsAttributes(dir, wanted);
      return attributes && { name, path: dir, ...attributes };
    }),
  );
  return read.filter((e) => e !== undefined);
}

/** Logs unreadable attribute files at debug level, as node_exporter does by skipping them silently. */
export function logFailedAttributes(log: Logger, dir: string, failed: Map<string, string>): void {
  for (const [file, code] of failed) {
    log.debug({ file: path.join(dir, file), code }, 'sysfs attribute unreadable');
  }
}

/** Where a sysfs link (a device's `device`, a CPU's `cpufreq`) points; undefined when it is absent. */
export async function realpathIfPresent(file: string): Promise<string | undefined> {
  try {
    return await realpath(file);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}
