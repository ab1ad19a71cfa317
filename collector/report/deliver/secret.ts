import { readFile } from 'node:fs/promises';
import { DeliveryError } from './retry.ts';

/**
 * A secret read from its file at send time, so a rotated token is picked up without a restart.
 * The error names the file, never what is in it; a missing file is a configuration problem that
 * retrying will not fix.
 */
export async function readSecret(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new DeliveryError(
      `cannot read ${what} from ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      false,
    );
  }
  const secret = text.trim();
  if (secret.length === 0) throw new DeliveryError(`${what} file ${file} is empty`, false);
  return secret;
}
