import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../common/config.ts';
import { renderRuleFile, ruleFiles } from './index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_RULES_DIR = path.join(root, 'rules', 'generated');

/**
 * The committed rule files: what `tierwise stack` writes for examples/tierwise.yml, for people who
 * load rules into their own Prometheus and for the promtool tests in rules/tests.
 */
export function exampleRuleFiles(): { path: string; text: string }[] {
  const file = path.join(root, 'examples', 'tierwise.yml');
  const config = parseConfig(readFileSync(file, 'utf8'), file);
  return ruleFiles(config).map((f) => ({
    path: path.join(GENERATED_RULES_DIR, f.file),
    text: renderRuleFile(f),
  }));
}
