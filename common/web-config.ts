import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecureContextOptions, SecureVersion } from 'node:tls';
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import { ConfigError, parseYamlFile, readConfigFile } from './config.ts';

/**
 * The Prometheus exporter-toolkit `web-config.yml` format, so one file serves node_exporter, Prometheus
 * and tierwise alike. Unknown keys are errors, as in exporter-toolkit, so a typo never silently turns
 * TLS or authentication off.
 */
const tlsVersion = z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']);
const clientAuthType = z.enum([
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
]);

const webConfigSchema = z.strictObject({
  tls_server_config: z
    .strictObject({
      cert_file: z.string().min(1),
      key_file: z.string().min(1),
      client_auth_type: clientAuthType.default('NoClientCert'),
      client_ca_file: z.string().min(1).optional(),
      min_version: tlsVersion.default('TLS12'),
      max_version: tlsVersion.default('TLS13'),
    })
    .optional(),
  http_server_config: z
    .strictObject({
      headers: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
  basic_auth_users: z
    .record(
      z.string(),
      z
        .string()
        .regex(/^\$2[aby]?\$\d\d\$/, { message: 'expected a bcrypt hash ($2y$…), never a plain password' }),
    )
    .optional(),
});

export interface WebConfig {
  /** TLS options for node:https, with file contents already read. */
  tls?: SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean };
  headers: Record<string, string>;
  users?: Map<string, string>;
}

const TLS_NAMES: Record<z.infer<typeof tlsVersion>, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

export async function loadWebConfig(file: string | undefined): Promise<WebConfig> {
  if (!file) return { headers: {} };
  const cfg = parseYamlFile(webConfigSchema, await readConfigFile(file), file);
  const dir = path.dirname(file);
  const readRelative = async (key: string, p: string) => {
    try {
      return await readFile(path.resolve(dir, p));
    } catch (err) {
      throw new ConfigError(file, [`${key}: cannot read ${p}: ${(err as Error).message}`]);
    }
  };
  const result: WebConfig = { headers: cfg.http_server_config?.headers ?? {} };
  const tls = cfg.tls_server_config;
  if (tls) {
    const verify =
      tls.client_auth_type === 'VerifyClientCertIfGiven' ||
      tls.client_auth_type === 'RequireAndVerifyClientCert';
    if (verify && !tls.client_ca_file) {
      throw new ConfigError(file, [
        `tls_server_config.client_ca_file: required when client_auth_type is ${tls.client_auth_type}`,
      ]);
    }
    result.tls = {
      cert: await readRelative('tls_server_config.cert_file', tls.cert_file),
      key: await readRelative('tls_server_config.key_file', tls.key_file),
      minVersion: TLS_NAMES[tls.min_version],
      maxVersion: TLS_NAMES[tls.max_version],
      requestCert: tls.client_auth_type !== 'NoClientCert',
      rejectUnauthorized: tls.client_auth_type === 'RequireAndVerifyClientCert',
    };
    if (tls.client_ca_file)
      result.tls.ca = await readRelative('tls_server_config.client_ca_file', tls.client_ca_file);
  }
  if (cfg.basic_auth_users) result.users = new Map(Object.entries(cfg.basic_auth_users));
  return result;
}

/** Compared against when the user is unknown, so a wrong user costs as long as a wrong password. */
const DUMMY_HASH = '$2y$10$cGiCA7ZOEjeRglqlza8S6uw30aFFVyUop9ISxIpi/MWgkuFrknyJu';

/**
 * Checks HTTP basic credentials against bcrypt hashes. bcrypt is slow on purpose (tens of milliseconds,
 * far more on a Pi), so successful checks are cached by a digest of the credentials, as exporter-toolkit
 * does; failures are never cached.
 */
export class BasicAuth {
  private readonly verified = new Set<string>();

  constructor(private readonly users: Map<string, string>) {}

  async check(authorization: string | undefined): Promise<boolean> {
    if (!authorization?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 0) return false;
    const user = decoded.slice(0, sep);
    const password = decoded.slice(sep + 1);
    const hash = this.users.get(user);
    const key = createHash('sha256')
      .update(`${user}\0${password}\0${hash ?? ''}`)
      .digest('hex');
    if (hash !== undefined && this.verified.has(key)) return true;
    const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
    if (ok && hash !== undefined) {
      this.verified.add(key);
      return true;
    }
    return false;
  }
}
