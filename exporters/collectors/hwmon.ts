import path from 'node:path';
import { type CollectorDefinition, NoDataError, sysPath } from '../collector.ts';
import { type HwmonChipFiles, hwmonFamilies, isSensorFile } from '../parsers/hwmon.ts';
import { logFailedAttributes, readSysfsAttributes, readSysfsClass, realpathIfPresent } from '../sysfs.ts';

const HWMON_ENTRY = /^hwmon\d+$/;
const wantedHwmonFile = (file: string): boolean => file === 'name' || isSensorFile(file);

/**
 * Nothing about a chip is cached between scrapes: hwmonN numbers are handed out in driver load order,
 * so a GPU driver reload or a USB sensor coming and going renumbers them under a running agent.
 */
export const hwmonCollector: CollectorDefinition = {
  name: 'hwmon',
  description:
    'Hardware sensors (temperatures, fans, voltages, power) from /sys/class/hwmon, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths, log }) => ({
    async collect() {
      const classDir = sysPath(paths, 'class', 'hwmon');
      const entries = await readSysfsClass(classDir, HWMON_ENTRY, wantedHwmonFile);
      if (entries === undefined) throw new NoDataError('no /sys/class/hwmon');
      if (entries.length === 0) throw new NoDataError('no hwmon chips in /sys/class/hwmon');
      const chips = await Promise.all(
        entries.map(async (entry): Promise<HwmonChipFiles> => {
          const deviceDir = path.join(entry.path, 'device');
          const devicePath = await realpathIfPresent(deviceDir);
          const device =
            devicePath === undefined ? undefined : await readSysfsAttributes(deviceDir, isSensorFile);
          logFailedAttributes(log, entry.path, entry.failed);
          if (device) logFailedAttributes(log, deviceDir, device.failed);
          return {
            dir: entry.name,
            devicePath,
            attributes: new Map([...entry.values, ...(device?.values ?? [])]),
          };
        }),
      );
      return hwmonFamilies(chips);
    },
  }),
};
