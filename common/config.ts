import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';

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
});

export const configSchema = z.strictObject({
  agent: agentSchema.prefault({}),
});

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
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `line ${(e.linePos?.[0]?.line ?? 0).toString()}: ${e.message.split('\n')[0]}`),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(file, result.error.issues.map(formatIssue));
  }
  return result.data;
}

export async function loadConfig(file: string | undefined): Promise<TierwiseConfig> {
  if (!file) return defaultConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  return parseConfig(text, file);
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length > 0 ? `${key}: ` : '';
    return `${where}unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  }
  return `${key}: ${issue.message}`;
}
