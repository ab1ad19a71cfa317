import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFrom, contextFor, sampleValue, tempDir } from '../../test/support/fixtures.ts';
import { NoDataError } from '../collector.ts';
import { osCollector } from './os.ts';

/** This machine's real release file: /etc/os-release is usually a link to it. */
const HOST_RELEASE = '/usr/lib/os-release';

async function rootfsWith(releaseFile?: string): Promise<string> {
  const root = await tempDir('os');
  if (releaseFile) {
    await mkdir(path.join(root, path.dirname(releaseFile)), { recursive: true });
    await copyFile(HOST_RELEASE, path.join(root, releaseFile));
  }
  return root;
}

describe('os collector', () => {
  it('describes this machine', async () => {
    const families = await collectFrom(osCollector, { rootfs: '/' });
    const info = families.find((f) => f.name === 'node_os_info')?.samples[0];
    const text = await readFile('/etc/os-release', 'utf8').catch(() => readFile(HOST_RELEASE, 'utf8'));
    const id = /^ID="?([^"\n]*)"?$/m.exec(text)?.[1];
    expect(info?.value).toBe(1);
    expect(info?.labels.id).toBe(id);
    expect(Object.keys(info?.labels ?? {}).sort()).toEqual([
      'build_id',
      'id',
      'id_like',
      'image_id',
      'image_version',
      'name',
      'pretty_name',
      'variant',
      'variant_id',
      'version',
      'version_codename',
      'version_id',
    ]);
    const versionId = info?.labels.version_id ?? '';
    if (/^\d/.test(versionId)) {
      const { id: osId = '', id_like = '', name = '' } = info?.labels ?? {};
      expect(sampleValue(families, 'node_os_version', { id: osId, id_like, name })).toBe(
        Number.parseFloat(versionId),
      );
    }
  });

  it('falls back to /usr/lib/os-release', async () => {
    const root = await rootfsWith('usr/lib/os-release');
    const families = await collectFrom(osCollector, { rootfs: root });
    expect(families.find((f) => f.name === 'node_os_info')?.samples).toHaveLength(1);
  });

  it('reads the release once per agent', async () => {
    const root = await rootfsWith('etc/os-release');
    const collector = osCollector.create(contextFor({ rootfs: root }));
    const first = await collector.collect();
    await rm(path.join(root, 'etc', 'os-release'));
    expect(await collector.collect()).toEqual(first);
  });

  it('has no data without either file, and looks again on the next scrape', async () => {
    const root = await rootfsWith();
    const collector = osCollector.create(contextFor({ rootfs: root }));
    await expect(collector.collect()).rejects.toThrow(NoDataError);
    await mkdir(path.join(root, 'etc'));
    await copyFile(HOST_RELEASE, path.join(root, 'etc', 'os-release'));
    expect((await collector.collect()).map((f) => f.name)).toContain('node_os_info');
  });
});
