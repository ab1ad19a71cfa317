import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type Collector,
  type CollectorDefinition,
  type HostPaths,
  isMissing,
  NoDataError,
  readOptional,
  sysPath,
} from '../collector.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';
import { parseCpuList, parseGovernors, parseKilohertz } from '../parsers/cpufreq.ts';
import { realpathIfPresent } from '../sysfs.ts';

const FREQUENCIES = [
  {
    file: 'cpuinfo_cur_freq',
    name: 'node_cpu_frequency_hertz',
    help: 'Current CPU thread frequency in hertz.',
  },
  {
    file: 'cpuinfo_min_freq',
    name: 'node_cpu_frequency_min_hertz',
    help: 'Minimum CPU thread frequency in hertz.',
  },
  {
    file: 'cpuinfo_max_freq',
    name: 'node_cpu_frequency_max_hertz',
    help: 'Maximum CPU thread frequency in hertz.',
  },
  {
    file: 'scaling_cur_freq',
    name: 'node_cpu_scaling_frequency_hertz',
    help: 'Current scaled CPU thread frequency in hertz.',
  },
  {
    file: 'scaling_min_freq',
    name: 'node_cpu_scaling_frequency_min_hertz',
    help: 'Minimum scaled CPU thread frequency in hertz.',
  },
  {
    file: 'scaling_max_freq',
    name: 'node_cpu_scaling_frequency_max_hertz',
    help: 'Maximum scaled CPU thread frequency in hertz.',
  },
] as const;
const GOVERNOR = 'scaling_governor';
const AVAILABLE_GOVERNORS = 'scaling_available_governors';
const GOVERNOR_HELP = 'Current enabled CPU frequency governor.';
const ATTRIBUTES: readonly string[] = [...FREQUENCIES.map((f) => f.file), GOVERNOR, AVAILABLE_GOVERNORS];

const CPU_DIR = /^cpu\d+$/;

/** A cpufreq policy: one clock, shared by one CPU on x86 and by a whole cluster on most ARM boards. */
interface Policy {
  dir: string;
  /** The CPUs whose cpuN/cpufreq resolves to `dir`, ascending. */
  cpus: number[];
  /** Which of ATTRIBUTES the driver provides; fixed while it is loaded, so looked up once. */
  attributes: string[];
}

class CpufreqCollector implements Collector {
  /** CPUs and their cpufreq directories are static; found on the first scrape that has any. */
  private policies: Promise<Policy[]> | undefined;
  private readonly cpuDir: string;

  constructor(paths: HostPaths) {
    this.cpuDir = sysPath(paths, 'devices', 'system', 'cpu');
  }

  async collect(): Promise<MetricFamily[]> {
    const [policies, offlineList] = await Promise.all([
      this.findPolicies(),
      readOptional(path.join(this.cpuDir, 'offline')),
    ]);
    // Attributes of a policy whose CPUs are all offline fail with EBUSY; node_exporter skips offline CPUs too.
    const offline = parseCpuList(offlineList ?? '');
    const readings = await Promise.all(
      policies.map(async (policy) => {
        const online = policy.cpus.filter((cpu) => !offline.has(cpu)).map(String);
        const texts =
          online.length === 0
            ? []
            : await Promise.all(policy.attributes.map((a) => readAttribute(policy.dir, a)));
        return { policy, online, values: new Map(policy.attributes.map((a, i) => [a, texts[i]])) };
      }),
    );

    const families = new FamilyBuilder();
    for (const { policy, online, values } of readings) {
      for (const { file, name, help } of FREQUENCIES) {
        const text = values.get(file);
        const hertz = text === undefined ? undefined : parseKilohertz(text, path.join(policy.dir, file));
        if (hertz === undefined) continue;
        for (const cpu of online) families.gauge(name, help, hertz, { cpu });
      }
      const governor = values.get(GOVERNOR)?.trim();
      if (!governor) continue;
      const available = parseGovernors(values.get(AVAILABLE_GOVERNORS) ?? governor);
      for (const cpu of online) {
        for (const name of available) {
          families.gauge('node_cpu_scaling_governor', GOVERNOR_HELP, name === governor ? 1 : 0, {
            cpu,
            governor: name,
          });
        }
      }
    }
    return families.build();
  }

  private findPolicies(): Promise<Policy[]> {
    if (!this.policies) {
      this.policies = discoverPolicies(this.cpuDir);
      // A machine without cpufreq is asked again next scrape: a driver module may load later.
      this.policies.catch(() => {
        this.policies = undefined;
      });
    }
    return this.policies;
  }
}

async function discoverPolicies(cpuDir: string): Promise<Policy[]> {
  let entries: string[];
  try {
    entries = await readdir(cpuDir);
  } catch (err) {
    if (isMissing(err)) throw new NoDataError(`${cpuDir} does not exist`);
    throw err;
  }
  const cpus = entries
    .filter((entry) => CPU_DIR.test(entry))
    .map((entry) => Number(entry.slice(3)))
    .sort((a, b) => a - b);
  const dirs = await Promise.all(
    cpus.map((cpu) => realpathIfPresent(path.join(cpuDir, `cpu${cpu}`, 'cpufreq'))),
  );

  const cpusByDir = new Map<string, number[]>();
  cpus.forEach((cpu, i) => {
    const dir = dirs[i];
    if (dir === undefined) return;
    const shared = cpusByDir.get(dir);
    if (shared) shared.push(cpu);
    else cpusByDir.set(dir, [cpu]);
  });
  if (cpusByDir.size === 0) {
    throw new NoDataError(
      `no cpufreq directory under ${cpuDir}: no CPU frequency driver (usual on VMs and some Pis)`,
    );
  }

  return Promise.all(
    [...cpusByDir].map(async ([dir, shared]) => {
      const present = new Set(await readdir(dir));
      return { dir, cpus: shared, attributes: ATTRIBUTES.filter((a) => present.has(a)) };
    }),
  );
}

/**
 * cpuinfo_cur_freq is readable by root only (mode 0400), so an unprivileged agent gets EACCES: that
 * series is left out, as node_exporter does, rather than failing the whole collector.
 */
async function readAttribute(dir: string, attribute: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(dir, attribute), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (isMissing(err) || code === 'EACCES' || code === 'EPERM') return undefined;
    throw err;
  }
}

export const cpufreqCollector: CollectorDefinition = {
  name: 'cpufreq',
  description:
    'CPU frequency, its limits and the scaling governor per CPU from sysfs cpufreq, as node_exporter.',
  defaultEnabled: true,
  create: ({ paths }) => new CpufreqCollector(paths),
};
