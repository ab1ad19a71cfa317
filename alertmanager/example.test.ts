import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { amtool } from '../test/support/alertmanager.ts';
import { EXAMPLE_ALERTMANAGER_DIR, exampleAlertmanagerFiles } from './example.ts';

describe('the committed alertmanager/ example', () => {
  it.each(
    exampleAlertmanagerFiles().map((f) => [f.path.slice(EXAMPLE_ALERTMANAGER_DIR.length + 1), f] as const),
  )('%s is what examples/tierwise.yml generates', async (_name, f) => {
    const committed = await readFile(f.path, 'utf8').catch(() => '');
    // `npm run generate` rewrites it (exampleAlertmanagerFiles in alertmanager/example.ts).
    expect(committed, `${f.path} is stale`).toBe(f.text);
  });

  it('passes amtool check-config', async () => {
    const r = await amtool(['check-config', `${EXAMPLE_ALERTMANAGER_DIR}/alertmanager.yml`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
