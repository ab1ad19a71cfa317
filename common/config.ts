import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { alertingConfigSchema } from '../alertmanager/config-schema.ts';
import { collectorConfigSchema } from '../collector/advisor/config.ts';
import { probeConfigSchema } from '../collector/probe/config.ts';
import { reportDeliveryConfigSchema } from '../collector/report/deliver/config.ts';
import { tariffSchema } from '../cost/scenario.ts';
import { stackConfigSchema } from '../deploy/stack/config.ts';
import { gpuConfigSchema } from '../exporters/gpu/config.ts';
import { powerConfigSchema } from '../exporters/power/config.ts';
import { budgetsSchema, machinesSchema } from '../rules/declared-schema.ts';

/** node_exporter's defaults, so a host shows the same filesystems in both. */
export const DEFAULT_MOUNT_POINTS_EXCLUDE =
  '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
export const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$';

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a valid regular expression' },
);

const seconds = z.number().positive();

/**
 * Gitea's act_runner names each job's container GITEA-ACTIONS-TASK-<task>_WORKFLOW-<workflow>_JOB-<job>:
 * without this, every CI job would be a new workload (and a new series).
 */
export const DEFAULT_WORKLOAD_RENAMES = [
  { match: 'GITEA-ACTIONS-TASK-\\d+_.*', workload: 'gitea-actions/jobs' },
] as const;

/** The owner's placement hints (tierwise.io/* labels on containers and pods). */
export const annotationsSchema = z.strictObject({
  needs_gpu: z.boolean().optional(),
  /** A machine (instance) or tier the workload must stay on. */
  pin: z.string().min(1).optional(),
  always_on: z.boolean().optional(),
  latency_sensitive: z.boolean().optional(),
});
export type WorkloadAnnotations = z.infer<typeof annotationsSchema>;

const agentSchema = z.strictObject({
  /** The owner's name for this machine's group; defaults to the inventory class. */
  tier: z.string().min(1).optional(),
  collectors: z
    .strictObject({
      disabled: z.array(z.string()).default([]),
      timeout_seconds: seconds.default(8),
    })
    .prefault({}),
  filesystem: z
    .strictObject({
      mount_points_exclude: regex.default(DEFAULT_MOUNT_POINTS_EXCLUDE),
      fs_types_exclude: regex.default(DEFAULT_FS_TYPES_EXCLUDE),
      statfs_timeout_seconds: seconds.default(5),
    })
    .prefault({}),
  netdev: z
    .strictObject({
      device_exclude: regex.optional(),
    })
    .prefault({}),
  speed_score: z
    .strictObject({
      enabled: z.boolean().default(true),
      runs: z.number().int().min(1).max(50).default(5),
    })
    .prefault({}),
  workloads: z
    .strictObject({
      /** Beyond this many, the smallest workloads are folded into host/other: no series per churned pod. */
      max_workloads: z.number().int().min(1).default(100),
      docker: z
        .strictObject({
          /** Docker's socket; Podman's /run/podman/podman.sock speaks the same API. */
          socket: z.string().min(1).default('/var/run/docker.sock'),
          timeout_seconds: seconds.default(2),
          cache_seconds: seconds.default(30),
        })
        .prefault({}),
      kubernetes: z
        .strictObject({
          /** Default: on when the agent runs in a pod with a service account. */
          enabled: z.boolean().optional(),
          /** Default: the NODE_NAME environment variable (downward API), else the hostname. */
          node_name: z.string().min(1).optional(),
          timeout_seconds: seconds.default(3),
          cache_seconds: seconds.default(30),
        })
        .prefault({}),
      /** Placement annotations by workload identity, for workloads whose engine carries no labels. */
      annotations: z.record(z.string(), annotationsSchema).default({}),
      /**
       * Renames applied to every workload name: the first rule whose regex matches the whole name
       * gives the new name (`$1`… from its groups). This is how CI job containers become their
       * runner's workload, or one per repository, instead of one series each.
       */
      rename: z
        .array(z.strictObject({ match: regex, workload: z.string().min(1) }))
        .default([...DEFAULT_WORKLOAD_RENAMES]),
    })
    .prefault({}),
  power: powerConfigSchema.prefault({}),
  gpu: gpuConfigSchema.prefault({}),
});

export const configSchema = z
  .strictObject({
    agent: agentSchema.prefault({}),
    /** Machines probed over SSH by `tierwise probe` (collector/probe). */
    probe: probeConfigSchema.prefault({}),
    /** What the owner declares per machine (by instance): power budget, off-hours schedule, sleeping. */
    machines: machinesSchema.default({}),
    budgets: budgetsSchema.prefault({}),
    /** Where alerts go (alertmanager/). */
    alerting: alertingConfigSchema.prefault({}),
    /** `tierwise stack`: the whole stack on one machine (deploy/stack). */
    stack: stackConfigSchema.prefault({}),
    /** The weekly report: where it is kept, when it runs, where it is sent (docs/report-delivery.md). */
    report: reportDeliveryConfigSchema.prefault({}),
    /** What a kWh costs when: the collector prices the history with it and exports the price now. */
    tariff: tariffSchema.optional(),
    /** `tierwise collector` and `tierwise advise --prometheus` (collector/advisor). */
    collector: collectorConfigSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.tariff && !isTimeZone(c.tariff.timezone))
      ctx.addIssue({
        code: 'custom',
        path: ['tariff', 'timezone'],
        message: `expected an IANA time zone such as Europe/London, got "${c.tariff.timezone}"`,
      });
    for (const [instance, m] of Object.entries(c.machines)) {
      if (
        m.salvage_value !== undefined &&
        m.purchase_price !== undefined &&
        m.salvage_value > m.purchase_price
      )
        ctx.addIssue({
          code: 'custom',
          path: ['machines', instance, 'salvage_value'],
          message: `expected at most purchase_price (${m.purchase_price})`,
        });
      if (m.schedule !== undefined && !(m.schedule in c.alerting.schedules))
        ctx.addIssue({
          code: 'custom',
          path: ['machines', instance, 'schedule'],
          message: `expected the name of a schedule in alerting.schedules, got "${m.schedule}"`,
        });
    }
    const receivers = new Set(c.alerting.receivers.map((r) => r.name));
    const routes: [string[], string[]][] = [
      ...Object.entries(c.alerting.severity).map(([k, v]): [string[], string[]] => [
        ['alerting', 'severity', k],
        v,
      ]),
      ...Object.entries(c.alerting.tiers).map(([k, v]): [string[], string[]] => [
        ['alerting', 'tiers', k],
        v,
      ]),
    ];
    for (const [path, names] of routes)
      names.forEach((n, i) => {
        if (!receivers.has(n))
          ctx.addIssue({
            code: 'custom',
            path: [...path, i],
            message: `expected the name of a receiver in alerting.receivers, got "${n}"`,
          });
      });
  });

/** Whether the runtime's time zone database knows `zone` (the tariff's bands are in local time). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type TierwiseConfig = z.infer<typeof configSchema>;
export type AgentConfig = TierwiseConfig['agent'];

/** A config file that cannot be used; the CLI prints `message` and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export function defaultConfig(): TierwiseConfig {
  return configSchema.parse({});
}

/** Parses YAML text; `file` names the source in error messages. */
export function parseConfig(text: string, file: string): TierwiseConfig {
  return parseYamlFile(configSchema, text, file);
}

/**
 * YAML text checked against a schema, every problem reported at once as "dotted.key: what was
 * expected" (or the YAML line), for each of tierwise's config files.
 */
export function parseYamlFile<T>(schema: z.ZodType<T>, text: string, file: string): T {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `line ${(e.linePos?.[0]?.line ?? 0).toString()}: ${e.message.split('\n')[0]}`),
    );
  }
  return validated(schema, doc.toJS() ?? {}, file);
}

/**
 * A JSON file (a what-if scenario). JSON.parse first: the YAML parser's document, with every node's
 * position, takes about a hundred times the file's size (2 GiB for an 18 MB 50-machine scenario). What
 * JSON.parse refuses goes to the YAML parser, which reads JSON too and says on which line it went wrong.
 */
export function parseJsonFile<T>(schema: z.ZodType<T>, text: string, file: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseYamlFile(schema, text, file);
  }
  return validated(schema, value, file);
}

function validated<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(file, result.error.issues.map(formatIssue));
  return result.data;
}

/** Reads a config file; an unreadable one is a ConfigError like any other problem with it. */
export async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
}

export async function loadConfig(file: string | undefined): Promise<TierwiseConfig> {
  if (!file) return defaultConfig();
  return parseConfig(await readConfigFile(file), file);
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length > 0 ? `${key}: ` : '';
    return `${where}unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  }
  return `${key}: ${issue.message}`;
}
