import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../common/config.ts';
import { alertmanagerFiles } from './generate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXAMPLE_ALERTMANAGER_DIR = path.join(root, 'alertmanager');

/**
 * The committed alertmanager.yml and its templates: what `tierwise stack` writes for
 * examples/tierwise.yml, for people who run their own Alertmanager and for `amtool` to check.
 */
export function exampleAlertmanagerFiles(): { path: string; text: string }[] {
  const file = path.join(root, 'examples', 'tierwise.yml');
  const config = parseConfig(readFileSync(file, 'utf8'), file);
  return alertmanagerFiles(config.alerting).map((f) => ({
    path: path.join(EXAMPLE_ALERTMANAGER_DIR, f.file),
    text: f.text,
  }));
}
