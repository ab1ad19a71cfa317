import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `command` would be run from: itself when it names a path, else the first executable file of that
 * name in `pathEnv` (PATH). Looked up before each start so that a machine without the NVIDIA driver costs
 * a few stat calls per retry, never a fork that fails with ENOENT.
 */
export function findExecutable(command: string, pathEnv: string | undefined): string | undefined {
  const candidates = command.includes('/')
    ? [command]
    : (pathEnv ?? '')
        .split(path.delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there, or not executable: try the next directory
    }
  }
  return undefined;
}
