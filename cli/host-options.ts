import type { Command } from 'commander';
import { loadConfig, type TierwiseConfig } from '../common/config.ts';
import type { HostPaths } from '../exporters/collector.ts';

/** node_exporter's root-path flags, so containers mount the host at /host and point these there. */
export function addHostOptions(cmd: Command): Command {
  return cmd
    .option('--path.procfs <dir>', 'procfs mountpoint', '/proc')
    .option('--path.sysfs <dir>', 'sysfs mountpoint', '/sys')
    .option('--path.rootfs <dir>', "host's root filesystem mountpoint", '/')
    .option('--config <file>', 'tierwise.yml (see docs/configuration.md)');
}

export interface HostOptionValues {
  'path.procfs': string;
  'path.sysfs': string;
  'path.rootfs': string;
  config?: string;
}

export function hostPaths(o: HostOptionValues): HostPaths {
  return { procfs: o['path.procfs'], sysfs: o['path.sysfs'], rootfs: o['path.rootfs'] };
}

export function loadConfigFrom(o: HostOptionValues): Promise<TierwiseConfig> {
  return loadConfig(o.config);
}
