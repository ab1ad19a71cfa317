import type { WorkloadAnnotations } from '../../common/config.ts';
import {
  type Collector,
  type CollectorContext,
  type CollectorDefinition,
  NoDataError,
  procPath,
  readRequired,
} from '../collector.ts';
import { FamilyBuilder, type Labels } from '../metrics.ts';
import { parseMeminfo } from '../parsers/meminfo.ts';
import { busySeconds } from '../parsers/proc-stat.ts';
import { WorkloadCounters } from '../workloads/accumulator.ts';
import { sysfsLowerDevices } from '../workloads/block-devices.ts';
import {
  type CgroupFileReaders,
  type CgroupUsage,
  readCgroupV1,
  readCgroupV2,
} from '../workloads/cgroup-usage.ts';
import { createEngineResolvers, type EngineResolvers } from '../workloads/engines.ts';
import { HeldFiles } from '../workloads/held-files.ts';
import { discoverHierarchy, v1DirsFor, walkCgroups, walkRoot } from '../workloads/hierarchy.ts';
import { type CgroupIdentity, identifyCgroup, type WorkloadKind } from '../workloads/identity.ts';
import { RemainderCounter } from '../workloads/remainder.ts';
import { createRenamer } from '../workloads/rename.ts';
import { type ResolvedWorkload, resolverKey } from '../workloads/resolver.ts';
import { readProcStat } from './stat.ts';

/** The name every cgroup no workload claims (and workloads over the cap) is grouped under. */
export const HOST_OTHER = 'host/other';

const PSI_HELP = "Time some or all of the workload's tasks were stalled on a resource (PSI).";
const IO_HELP = 'Bytes the workload read from or wrote to block devices.';

function psiCounter(resource: 'cpu' | 'io' | 'memory', level: 'some' | 'full') {
  return {
    pick: (u: CgroupUsage) => u.pressure?.[resource]?.[level],
    metric: 'tierwise_workload_pressure_seconds_total',
    help: PSI_HELP,
    extra: { resource, level },
  };
}

/** The counters kept monotonic per workload (see WorkloadCounters), and the series each becomes. */
const COUNTERS = {
  cpu: {
    pick: (u) => u.cpuSeconds,
    metric: 'tierwise_workload_cpu_seconds_total',
    help: 'CPU time used by the workload.',
  },
  throttledSeconds: {
    pick: (u) => u.throttledSeconds,
    metric: 'tierwise_workload_cpu_throttled_seconds_total',
    help: 'Time the workload was throttled by its CPU limit.',
  },
  throttledPeriods: {
    pick: (u) => u.throttledPeriods,
    metric: 'tierwise_workload_cpu_throttled_periods_total',
    help: 'Enforcement periods in which the workload was throttled.',
  },
  ioRead: {
    pick: (u) => u.ioReadBytes,
    metric: 'tierwise_workload_io_bytes_total',
    help: IO_HELP,
    extra: { direction: 'read' },
  },
  ioWrite: {
    pick: (u) => u.ioWriteBytes,
    metric: 'tierwise_workload_io_bytes_total',
    help: IO_HELP,
    extra: { direction: 'write' },
  },
  cpuSome: psiCounter('cpu', 'some'),
  ioSome: psiCounter('io', 'some'),
  ioFull: psiCounter('io', 'full'),
  memorySome: psiCounter('memory', 'some'),
  memoryFull: psiCounter('memory', 'full'),
} satisfies Record<
  string,
  { pick: (u: CgroupUsage) => number | undefined; metric: string; help: string; extra?: Labels }
>;
const COUNTER_LIST = Object.values(COUNTERS);
const CPU = COUNTER_LIST.indexOf(COUNTERS.cpu);

const WORKING_SET_HELP =
  'Memory the workload cannot do without: usage less inactive file cache (as kubelet computes it).';
const GAUGES: { pick: (u: CgroupUsage) => number | undefined; metric: string; help: string }[] = [
  {
    pick: (u) => u.memoryBytes,
    metric: 'tierwise_workload_memory_bytes',
    help: 'Memory charged to the workload, page cache included.',
  },
  {
    pick: (u) => u.workingSetBytes,
    metric: 'tierwise_workload_memory_working_set_bytes',
    help: WORKING_SET_HELP,
  },
  { pick: (u) => u.pids, metric: 'tierwise_workload_pids', help: 'Processes and threads in the workload.' },
];

interface Member {
  rel: string;
  usage: CgroupUsage;
}

/** What a cgroup's identity is called, and by whom (see nameIdentity). */
export interface WorkloadName {
  name: string;
  kind: WorkloadKind;
  namespace: string;
  resolvedBy?: string;
  info?: ResolvedWorkload;
}

interface Workload extends WorkloadName {
  members: Member[];
}

/**
 * The name of the workload a cgroup identity stands for, before renaming: the systemd unit, else what the
 * engine's API says about the container or pod, else a fallback that never changes with restarts. Shared
 * with the GPU collector, which names processes by their /proc/<pid>/cgroup the same way.
 */
export function nameIdentity(
  identity: CgroupIdentity,
  rel: string,
  resolvers: EngineResolvers,
): WorkloadName {
  if (identity.workload !== undefined) return { name: identity.workload, kind: identity.kind, namespace: '' };
  const resolver = identity.kind === 'pod' ? resolvers.kubernetes : resolvers.docker;
  const info = resolver?.lookup(resolverKey(identity));
  if (info)
    return {
      name: info.workload,
      kind: identity.kind,
      namespace: info.namespace,
      resolvedBy: resolver?.name,
      info,
    };
  // Without the engine's API the id is the best name there is; never a pod's random name or uid.
  if (identity.kind === 'pod') return { name: 'kubernetes/unresolved', kind: 'pod', namespace: '' };
  return {
    name: `container/${(identity.containerId ?? rel).slice(0, 12)}`,
    kind: identity.kind,
    namespace: '',
  };
}

export interface WorkloadsDeps {
  resolvers?: EngineResolvers;
  heldFiles?: HeldFiles;
}

/**
 * Per-workload CPU, memory, I/O, PIDs and PSI from cgroups (v2, hybrid or v1), under one stable
 * identity per workload: a systemd unit, a compose service, a Kubernetes owner. Each workload is read
 * at the cgroup that names it, whose counters already include its children, and nothing below it is
 * read again. What no workload claims is host/other, so the workloads add up to the machine.
 */
export function createWorkloadsCollector(ctx: CollectorContext, deps: WorkloadsDeps = {}): Collector {
  const { paths, config } = ctx;
  const cfg = config.workloads;
  const resolvers = deps.resolvers ?? createEngineResolvers(ctx);
  const counters = new WorkloadCounters(COUNTER_LIST.length);
  const labels = new SeriesLabels();
  const held = deps.heldFiles ?? new HeldFiles();
  const files: CgroupFileReaders = {
    hot: held.read,
    cold: held.readOnce,
    lowerDevices: sysfsLowerDevices(paths.sysfs),
  };
  const remainderCpu = new RemainderCounter();
  /** The last reading of each cgroup, for the files this scrape does not read again. */
  let lastSeen = new Map<string, CgroupUsage>();
  let scrapeNo = 0;

  const renamed = createRenamer(cfg.rename);

  function nameFor(identity: CgroupIdentity, rel: string): WorkloadName {
    const named = nameIdentity(identity, rel, resolvers);
    return { ...named, name: renamed(named.name) };
  }

  return {
    async collect() {
      const hierarchy = discoverHierarchy(paths);
      const root = hierarchy && walkRoot(hierarchy);
      if (!hierarchy || !root) throw new NoDataError(`no cgroup hierarchy under ${paths.sysfs}/fs/cgroup`);
      // Refresh engine listings in the background; this scrape uses what is known now.
      for (const r of Object.values(resolvers)) void r?.refresh();

      const turn = scrapeNo++ % FULL_READ_EVERY_SCRAPES;
      const nextSeen = new Map<string, CgroupUsage>();
      const byName = new Map<string, Workload>();
      let cgroups = 0;
      let unreadable = 0;
      walkCgroups(root, (rel) => {
        const identity = identifyCgroup(rel);
        if (!identity) return false;
        cgroups++;
        const named = nameFor(identity, rel);
        const previous = lastSeen.get(rel);
        const full = previous === undefined || slotOf(rel) === turn;
        let fresh: CgroupUsage;
        try {
          fresh = readUsage(hierarchy, rel, full, files);
        } catch (err) {
          // One bad cgroup (removed mid-read, a file the kernel refuses) must not cost the others.
          unreadable++;
          ctx.log.debug({ cgroup: rel, err: (err as Error).message }, 'cgroup unreadable');
          return true;
        }
        const usage = full || previous === undefined ? fresh : { ...previous, ...fresh };
        nextSeen.set(rel, usage);
        const workload = byName.get(named.name) ?? { ...named, members: [] };
        byName.set(named.name, workload);
        workload.members.push({ rel, usage });
        return true;
      });
      held.endScrape();
      lastSeen = nextSeen;

      // The cap: keep the biggest by CPU (then memory); the rest count as host/other.
      let shown = [...byName.values()];
      const folded = Math.max(0, shown.length - cfg.max_workloads);
      if (folded > 0) {
        const rank = new Map(
          shown.map((w) => [w, [sum(w, (u) => u.cpuSeconds), sum(w, (u) => u.memoryBytes)]]),
        );
        const key = (w: Workload) => rank.get(w) ?? [0, 0];
        shown = shown
          .sort((a, b) => (key(b)[0] ?? 0) - (key(a)[0] ?? 0) || (key(b)[1] ?? 0) - (key(a)[1] ?? 0))
          .slice(0, cfg.max_workloads);
      }
      const readings = new Map<string, Map<string, number[]>>();
      for (const w of shown) {
        const members = new Map<string, number[]>();
        for (const m of w.members) {
          members.set(
            m.rel,
            COUNTER_LIST.map((c) => c.pick(m.usage) ?? Number.NaN),
          );
        }
        readings.set(w.name, members);
      }
      const counterValues = counters.update(readings);
      const cpuByWorkload = new Map<string, number>();
      for (const [name, values] of counterValues) {
        if (!Number.isNaN(values[CPU] as number)) cpuByWorkload.set(name, values[CPU] as number);
      }
      const [stat, meminfoText] = await Promise.all([
        readProcStat(paths),
        readRequired(procPath(paths, 'meminfo')),
      ]);
      const busy = busySeconds(stat.total);
      const mem = new Map(parseMeminfo(meminfoText).map((e) => [e.key, e.value]));
      const used =
        (mem.get('MemTotal_bytes') ?? 0) - (mem.get('MemAvailable_bytes') ?? mem.get('MemFree_bytes') ?? 0);
      const b = new FamilyBuilder();
      let shownWorkingSet = 0;
      for (const w of shown) {
        const l = labels.of(w, config.workloads.annotations[w.name]);
        const values = counterValues.get(w.name);
        COUNTER_LIST.forEach((c, i) => {
          const v = values?.[i] ?? Number.NaN;
          if (!Number.isNaN(v)) b.counter(c.metric, c.help, v, l.counters[i] as Labels);
        });
        for (const g of GAUGES) {
          if (w.members.some((m) => g.pick(m.usage) !== undefined))
            b.gauge(g.metric, g.help, sum(w, g.pick), l.base);
        }
        shownWorkingSet += sum(w, (u) => u.workingSetBytes ?? u.memoryBytes);
        b.gauge(
          'tierwise_workload_info',
          'What the workload is and the placement hints its owner gave it.',
          1,
          l.info,
        );
        for (const [metric, help, value] of RESOURCES) {
          const v = w.info?.[value];
          if (v !== undefined) b.gauge(metric, help, v, l.base);
        }
      }
      labels.prune(shown);

      const other = labels.of({ name: HOST_OTHER, kind: 'process', namespace: '', members: [] }, undefined);
      b.counter(COUNTERS.cpu.metric, COUNTERS.cpu.help, remainderCpu.update(busy, cpuByWorkload), other.base);
      b.gauge(
        'tierwise_workload_memory_working_set_bytes',
        WORKING_SET_HELP,
        Math.max(0, used - shownWorkingSet),
        other.base,
      );
      b.gauge('tierwise_workloads_cgroups', 'Cgroups named as workloads on this scrape.', cgroups);
      b.gauge(
        'tierwise_workloads_unreadable_cgroups',
        'Cgroups that could not be read on this scrape.',
        unreadable,
      );
      b.gauge(
        'tierwise_workloads_folded',
        'Workloads over agent.workloads.max_workloads, counted as host/other.',
        folded,
      );
      for (const [engine, resolver] of Object.entries(resolvers)) {
        if (!resolver) continue;
        const s = resolver.status();
        b.gauge(
          'tierwise_workloads_resolver_up',
          'Whether the engine API that names containers or pods answered (0 with the reason: names fall back to ids).',
          s.up ? 1 : 0,
          s.reason ? { resolver: engine, reason: s.reason } : { resolver: engine },
        );
      }
      return b.build();
    },
  };
}

function sum(w: Workload, pick: (u: CgroupUsage) => number | undefined): number {
  let total = 0;
  for (const m of w.members) total += pick(m.usage) ?? 0;
  return total;
}

/** Synchronous, as every cgroupfs read here: a promise per cgroup was a measurable part of 500 of them. */
function readUsage(
  h: NonNullable<ReturnType<typeof discoverHierarchy>>,
  rel: string,
  full: boolean,
  files: CgroupFileReaders,
): CgroupUsage {
  const v2 = h.v2 ? readCgroupV2(`${h.v2}${rel}`, full, files) : {};
  const v1Dirs = v1DirsFor(h, rel);
  if (Object.keys(v1Dirs).length === 0) return v2;
  // Hybrid systems: v2 gives CPU and PSI; memory, I/O, PIDs and throttling live in the v1 controllers,
  // and cpuacct is not read for CPU that v2 already counted.
  const { cpuacct, ...withoutCpuacct } = v1Dirs;
  const v1 = readCgroupV1(v2.cpuSeconds === undefined ? v1Dirs : withoutCpuacct, full, files);
  return { ...v1, ...v2 };
}

/**
 * Every scrape reads each cgroup's CPU and memory usage; the other files (working set, I/O, PIDs, PSI,
 * limits: seven more reads) are read for an eighth of the cgroups per scrape, in turn, so those series
 * are at most eight scrapes old (two minutes at 15 s). Reading all nine files of 500 cgroups costs
 * about 25 ms on cgroupfs; this way a scrape reads about a third as many (docs/benchmarks.md).
 */
export const FULL_READ_EVERY_SCRAPES = 8;

/** A stable slot per cgroup path, so each eighth of the tree takes its turn. */
function slotOf(rel: string): number {
  let h = 0;
  for (let i = 0; i < rel.length; i++) h = (h * 31 + rel.charCodeAt(i)) | 0;
  return (h >>> 0) % FULL_READ_EVERY_SCRAPES;
}

const flag = (v: boolean | undefined) => (v === undefined ? '' : String(v));

const RESOURCES: [
  string,
  string,
  'cpuRequestCores' | 'cpuLimitCores' | 'memoryRequestBytes' | 'memoryLimitBytes',
][] = [
  [
    'tierwise_workload_cpu_request_cores',
    'CPU the workload requests (Kubernetes requests).',
    'cpuRequestCores',
  ],
  ['tierwise_workload_cpu_limit_cores', 'CPU limit of the workload.', 'cpuLimitCores'],
  ['tierwise_workload_memory_request_bytes', 'Memory the workload requests.', 'memoryRequestBytes'],
  ['tierwise_workload_memory_limit_bytes', 'Memory limit of the workload.', 'memoryLimitBytes'],
];

interface WorkloadLabels {
  base: Labels;
  /** base plus each counter's own labels (direction, resource, level), by COUNTER_LIST index. */
  counters: Labels[];
  info: Labels;
  /** What the labels were made from; a change (a resolver refresh) makes them anew. */
  from: { kind: string; namespace: string; resolvedBy?: string; info?: ResolvedWorkload };
}

/**
 * Label sets per workload, kept across scrapes: they change only when a resolver renames or re-labels
 * a workload, and building ~13 of them for each of 500 workloads every scrape was a measurable part of it.
 */
class SeriesLabels {
  private cache = new Map<string, WorkloadLabels>();

  of(w: Workload, configured: WorkloadAnnotations | undefined): WorkloadLabels {
    const hit = this.cache.get(w.name);
    const f = hit?.from;
    if (
      hit &&
      f?.kind === w.kind &&
      f.namespace === w.namespace &&
      f.resolvedBy === w.resolvedBy &&
      f.info === w.info
    ) {
      return hit;
    }
    const base: Labels = { workload: w.name, kind: w.kind, namespace: w.namespace };
    const a = { ...w.info?.annotations, ...configured };
    const made: WorkloadLabels = {
      base,
      counters: COUNTER_LIST.map((c) => ('extra' in c ? { ...base, ...c.extra } : base)),
      info: {
        ...base,
        image: w.info?.image ?? '',
        image_platforms: w.info?.imagePlatforms ?? '',
        resolved_by: w.resolvedBy ?? (w.kind === 'service' ? 'systemd' : ''),
        needs_gpu: flag(a.needs_gpu),
        pin: a.pin ?? '',
        always_on: flag(a.always_on),
        latency_sensitive: flag(a.latency_sensitive),
      },
      from: { kind: w.kind, namespace: w.namespace, resolvedBy: w.resolvedBy, info: w.info },
    };
    this.cache.set(w.name, made);
    return made;
  }

  /** Forgets workloads not shown this scrape, so the cache never outgrows the cap. */
  prune(shown: Workload[]): void {
    const keep = new Set(shown.map((w) => w.name));
    keep.add(HOST_OTHER);
    for (const name of this.cache.keys()) if (!keep.has(name)) this.cache.delete(name);
  }
}

export const workloadsCollector: CollectorDefinition = {
  name: 'workloads',
  description: 'per-workload CPU, memory, I/O, PIDs and PSI from cgroups (services, containers, pods)',
  defaultEnabled: true,
  create: (ctx) => createWorkloadsCollector(ctx),
};
