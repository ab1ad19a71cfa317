import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/** Debian's packages; the README's set-up command installs them. */
export const INSTALL_COMMAND = 'sudo apt-get install -y prometheus prometheus-alertmanager';

/** The names each program goes by: upstream's tarball, then Debian's (which renames Alertmanager). */
export const BINARY_NAMES = {
  prometheus: ['prometheus'],
  alertmanager: ['alertmanager', 'prometheus-alertmanager'],
} as const;

export type Binaries = Record<keyof typeof BINARY_NAMES, string>;

/** Prometheus or Alertmanager is not installed; the message holds the command that installs them. */
export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';
  constructor(readonly missing: string[]) {
    super(
      `${missing.join(' and ')} not found on PATH; tierwise stack runs the installed programs. Install them with:\n  ${INSTALL_COMMAND}`,
    );
  }
}

/** Finds Prometheus and Alertmanager on `searchPath` (PATH's format), as the shell would. */
export async function findBinaries(searchPath: string = process.env.PATH ?? ''): Promise<Binaries> {
  const found: Partial<Binaries> = {};
  const missing: string[] = [];
  for (const [program, names] of Object.entries(BINARY_NAMES) as [keyof Binaries, readonly string[]][]) {
    const file = await findOnPath(names, searchPath);
    if (file === undefined) missing.push(names.join(' (or ') + (names.length > 1 ? ')' : ''));
    else found[program] = file;
  }
  if (found.prometheus === undefined || found.alertmanager === undefined)
    throw new MissingBinaryError(missing);
  return { prometheus: found.prometheus, alertmanager: found.alertmanager };
}

/** The first executable regular file called one of `names` in a directory of `searchPath`. */
export async function findOnPath(names: readonly string[], searchPath: string): Promise<string | undefined> {
  const dirs = searchPath.split(path.delimiter).filter((d) => d !== '');
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        await access(file, constants.X_OK);
        if ((await stat(file)).isFile()) return file;
      } catch {
        // Not here: try the next directory.
      }
    }
  }
  return undefined;
}
