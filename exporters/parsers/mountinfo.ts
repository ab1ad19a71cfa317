export interface Mount {
  /** The mount source ("/dev/sda1", "server:/export", "tmpfs"); may be empty. */
  device: string;
  mountPoint: string;
  fsType: string;
  /** Per-mount options; in /proc/mounts the kernel prints these and the superblock's in one list. */
  options: string[];
  /** Superblock options (mountinfo only). */
  superOptions: string[];
}

/**
 * /proc/<pid>/mountinfo (kernel 2.6.26+):
 * `id parent major:minor root mountpoint options [optional fields…] - fstype source superoptions`.
 */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const [lineNo, line] of lines(text)) {
    const sep = line.indexOf(' - ');
    // Paths are escaped, so no field before the separator is empty; split on runs of blanks to take
    // lines like node_exporter's fixture "1 1 0:5 /  /root". After it, split on single blanks: a mount
    // made with an empty source prints "- tmpfs  rw".
    const head = sep < 0 ? [] : line.slice(0, sep).trim().split(/\s+/);
    const [fsType = '', source, superOptions] = sep < 0 ? [] : line.slice(sep + 3).split(' ');
    const [, , , , mountPoint, options] = head;
    if (
      mountPoint === undefined ||
      options === undefined ||
      source === undefined ||
      superOptions === undefined
    ) {
      throw new Error(
        `mountinfo line ${lineNo}: expected "… mountpoint options … - fstype source options": ${line}`,
      );
    }
    mounts.push({
      device: decodeOctal(source),
      mountPoint: decodeOctal(mountPoint),
      fsType,
      options: options.split(','),
      superOptions: superOptions.split(','),
    });
  }
  return mounts;
}

/**
 * /proc/mounts (the only mount table on 2.4 kernels): `source mountpoint fstype options 0 0`, single
 * blanks between fields, so an empty source shows as a leading blank.
 */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const [lineNo, line] of lines(text)) {
    const [source, mountPoint, fsType, options] = line.split(' ');
    if (source === undefined || mountPoint === undefined || fsType === undefined || options === undefined) {
      throw new Error(`mounts line ${lineNo}: expected "source mountpoint fstype options": ${line}`);
    }
    mounts.push({
      device: decodeOctal(source),
      mountPoint: decodeOctal(mountPoint),
      fsType,
      options: options.split(','),
      superOptions: [],
    });
  }
  return mounts;
}

export interface DfEntry {
  filesystem: string;
  mountPoint: string;
  sizeBytes: number;
  usedBytes: number;
  availBytes: number;
}

// Lazy on the name, greedy on the mount point: df -P prints both raw, and either may contain blanks.
const DF_ROW = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(.+)$/;

/**
 * POSIX `df -Pk` (coreutils, busybox): a header naming the block size ("1024-blocks"; plain `-P` under
 * POSIXLY_CORRECT says 512), then one line per filesystem. Capacity is "-" where the size is 0. Lines
 * that are not rows (a trailing blank, a wrapped name from a df without -P) are skipped.
 */
export function parseDfPk(text: string): DfEntry[] {
  const [header = '', ...rows] = text.split('\n');
  const blockSize = /(\d+)-blocks/.exec(header)?.[1];
  if (blockSize === undefined) throw new Error(`df: expected a "1024-blocks" header, got: ${header}`);
  const unit = Number(blockSize);
  const entries: DfEntry[] = [];
  for (const row of rows) {
    const match = DF_ROW.exec(row.trimEnd());
    if (!match) continue;
    const [, filesystem = '', size, used, avail, mountPoint = ''] = match;
    entries.push({
      filesystem: filesystem.trim(),
      mountPoint,
      sizeBytes: Number(size) * unit,
      usedBytes: Number(used) * unit,
      availBytes: Number(avail) * unit,
    });
  }
  return entries;
}

/** Non-blank lines with their 1-based numbers; tolerates CRLF from captures taken over SSH. */
function lines(text: string): [number, string][] {
  return text
    .split('\n')
    .map((line, i): [number, string] => [i + 1, line.replace(/\r$/, '')])
    .filter(([, line]) => line.trim() !== '');
}

/** The kernel writes space, tab, newline and backslash in paths as 3-digit octal escapes (`\040`). */
function decodeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
