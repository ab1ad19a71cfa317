import os from 'node:os';
import { type CollectorDefinition, type HostPaths, procPath, readOptional } from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';

interface KernelFacts {
  sysname: string;
  release: string;
  version: string;
  machine: string;
}

/** node_uname_info's labels: what uname(2) answers. */
export interface UnameInfo extends KernelFacts {
  nodename: string;
  domainname: string;
}

/** node_uname_info; shared with the SSH probe, which reads the fields with uname(1). */
export function unameFamilies(info: UnameInfo): MetricFamily[] {
  return new FamilyBuilder()
    .gauge('node_uname_info', 'Labeled system information as provided by the uname system call.', 1, {
      ...info,
    })
    .build();
}

/**
 * uname(2)'s fields as the kernel publishes them under /proc/sys/kernel, so --path.procfs applies to
 * them like to every other procfs read. Undefined where this procfs does not have the file (arch is
 * recent, and a test tree may have none): the caller falls back to node:os, which asks the running
 * kernel — the same kernel, as uname is not namespaced apart from the host and domain names.
 */
async function readKernelFile(paths: HostPaths, name: string): Promise<string | undefined> {
  return (await readOptional(procPath(paths, 'sys', 'kernel', name)))?.trim();
}

async function readKernelFacts(paths: HostPaths): Promise<KernelFacts> {
  const [sysname, release, version, machine] = await Promise.all(
    ['ostype', 'osrelease', 'version', 'arch'].map((name) => readKernelFile(paths, name)),
  );
  return {
    sysname: sysname ?? os.type(),
    release: release ?? os.release(),
    version: version ?? os.version(),
    machine: machine ?? os.machine(),
  };
}

/**
 * node_exporter's uname collector. The kernel's name, release, build and architecture are read once;
 * the host and NIS domain names are read on every scrape, because hostnamectl or domainname can change
 * them under a running agent.
 */
export const unameCollector: CollectorDefinition = {
  name: 'uname',
  description: 'Kernel name, release, version, architecture and host name, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths }) => {
    let kernel: Promise<KernelFacts> | undefined;
    return {
      async collect() {
        kernel ??= readKernelFacts(paths).catch((err: unknown) => {
          kernel = undefined;
          throw err;
        });
        const [facts, nodename, domainname] = await Promise.all([
          kernel,
          readKernelFile(paths, 'hostname'),
          readKernelFile(paths, 'domainname'),
        ]);
        return unameFamilies({
          ...facts,
          nodename: nodename ?? os.hostname(),
          // Node has no getdomainname(); without procfs the domain is unknown rather than "(none)".
          domainname: domainname ?? '',
        });
      },
    };
  },
};
