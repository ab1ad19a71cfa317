import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFrom, contextFor, procTrees, tempDir } from '../../test/support/fixtures.ts';
import type { MetricFamily } from '../metrics.ts';
import { unameCollector } from './uname.ts';

const UNAME_FILES = ['ostype', 'osrelease', 'version', 'arch', 'hostname', 'domainname'];

/** What node:os says about the running kernel: what uname(2) says, without the NIS domain name. */
const fromNodeOs = () => ({
  sysname: os.type(),
  release: os.release(),
  version: os.version(),
  machine: os.machine(),
  nodename: os.hostname(),
});

function unameLabels(families: MetricFamily[]): Record<string, string> | undefined {
  expect(families.map((f) => f.name)).toEqual(['node_uname_info']);
  return families[0]?.samples[0]?.labels;
}

/** A procfs tree holding copies of this machine's real /proc/sys/kernel uname files. */
async function procfsCopy(): Promise<string> {
  const proc = await tempDir('uname');
  const kernel = path.join(proc, 'sys', 'kernel');
  await mkdir(kernel, { recursive: true });
  for (const file of UNAME_FILES) {
    // Not copyFile: procfs reports a size of 0, so the copy would come out empty.
    const text = await readFile(path.join('/proc/sys/kernel', file), 'utf8').catch(() => undefined);
    if (text !== undefined) await writeFile(path.join(kernel, file), text);
  }
  return proc;
}

describe('uname collector', () => {
  it('describes this machine as uname(2) does', async () => {
    const labels = unameLabels(await collectFrom(unameCollector, { procfs: '/proc' }));
    const domainname = (await readFile('/proc/sys/kernel/domainname', 'utf8')).trim();
    expect(labels).toEqual({ ...fromNodeOs(), domainname });
  });

  it('falls back to node:os where the procfs tree has no uname files (node_exporter’s fixture)', async () => {
    const procfs = procTrees.nodeExporter;
    // The tree has a sys/kernel directory, only not these files.
    await access(path.join(procfs, 'sys', 'kernel'));
    const labels = unameLabels(await collectFrom(unameCollector, { procfs }));
    expect(labels).toEqual({ ...fromNodeOs(), domainname: '' });
  });

  it('reads the kernel facts once and the host name on every scrape', async () => {
    const procfs = await procfsCopy();
    const collector = unameCollector.create(contextFor({ procfs }));
    const before = unameLabels(await collector.collect());
    expect(before?.release).toBe(os.release());

    const kernel = path.join(procfs, 'sys', 'kernel');
    await writeFile(path.join(kernel, 'osrelease'), '0.0.0-not-read-again\n');
    await writeFile(path.join(kernel, 'hostname'), 'renamed-host\n');
    const after = unameLabels(await collector.collect());
    expect(after).toEqual({ ...before, nodename: 'renamed-host' });
  });
});
