import {
  type CollectorDefinition,
  type HostPaths,
  NoDataError,
  readOptional,
  rootfsPath,
} from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { type OsFacts, osFacts, parseOsRelease } from '../parsers/os-release.ts';

const RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'];

async function readOsFacts(paths: HostPaths): Promise<OsFacts> {
  for (const file of RELEASE_FILES) {
    const text = await readOptional(rootfsPath(paths, file));
    if (text !== undefined) return osFacts(parseOsRelease(text));
  }
  throw new NoDataError(`no ${RELEASE_FILES.join(' or ')} under ${paths.rootfs}`);
}

/** node_os_info, node_os_version and node_os_support_end_timestamp_seconds; shared with the SSH probe. */
export function osFamilies({ info, version, supportEnd }: OsFacts): MetricFamily[] {
  const out = new FamilyBuilder().gauge(
    'node_os_info',
    "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
    1,
    { ...info },
  );
  if (version !== undefined) {
    out.gauge('node_os_version', 'Metric containing the major.minor part of the OS version.', version, {
      id: info.id,
      id_like: info.id_like,
      name: info.name,
    });
  }
  if (supportEnd !== undefined) {
    out.gauge(
      'node_os_support_end_timestamp_seconds',
      'Metric containing the end-of-life date timestamp of the OS.',
      supportEnd,
    );
  }
  return out.build();
}

/**
 * node_exporter's os collector. The release is read once per agent: it changes only with a
 * distribution upgrade, which ends in a reboot.
 */
export const osCollector: CollectorDefinition = {
  name: 'os',
  description: 'Operating system name and version from os-release, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths }) => {
    let facts: Promise<OsFacts> | undefined;
    return {
      async collect() {
        facts ??= readOsFacts(paths).catch((err: unknown) => {
          // Not cached: the root filesystem may be mounted after the agent starts.
          facts = undefined;
          throw err;
        });
        return osFamilies(await facts);
      },
    };
  },
};
