import type { CollectorDefinition } from '../collector.ts';
import { batteryPowerCollector } from './battery-power.ts';
import { cpuCollector } from './cpu.ts';
import { cpufreqCollector } from './cpufreq.ts';
import { diskstatsCollector } from './diskstats.ts';
import { filesystemCollector } from './filesystem.ts';
import { gpuCollector } from './gpu.ts';
import { hwmonCollector } from './hwmon.ts';
import { hwmonPowerCollector } from './hwmon-power.ts';
import { loadavgCollector } from './loadavg.ts';
import { meminfoCollector } from './meminfo.ts';
import { netdevCollector } from './netdev.ts';
import { osCollector } from './os.ts';
import { plugPowerCollector } from './plug-power.ts';
import { pmicPowerCollector } from './pmic-power.ts';
import { powerModelCollector } from './power-model.ts';
import { pressureCollector } from './pressure.ts';
import { processCollector } from './process.ts';
import { raplCollector } from './rapl.ts';
import { rpiCollector } from './rpi.ts';
import { statCollector } from './stat.ts';
import { thermalZoneCollector } from './thermal-zone.ts';
import { unameCollector } from './uname.ts';
import { workloadsCollector } from './workloads.ts';

/** Every collector the agent knows, in the order of the index page. */
export const COLLECTORS: CollectorDefinition[] = [
  cpuCollector,
  statCollector,
  cpufreqCollector,
  loadavgCollector,
  meminfoCollector,
  pressureCollector,
  diskstatsCollector,
  filesystemCollector,
  netdevCollector,
  hwmonCollector,
  thermalZoneCollector,
  rpiCollector,
  plugPowerCollector,
  raplCollector,
  hwmonPowerCollector,
  batteryPowerCollector,
  pmicPowerCollector,
  powerModelCollector,
  gpuCollector,
  unameCollector,
  osCollector,
  workloadsCollector,
  processCollector,
];
