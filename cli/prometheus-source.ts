import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { TierwiseConfig } from '../common/config.ts';
import type { PrometheusTarget } from '../common/prometheus-client.ts';
import { tariffSchema } from '../cost/scenario.ts';
import { UsageError } from './usage-error.ts';

/** The flags `tierwise advise` and `tierwise report` share to read Prometheus and price its history. */
export interface PrometheusSourceFlags {
  config?: string;
  prometheusUser?: string;
  prometheusPasswordFile?: string;
  pricePerKwh?: number;
  currency?: string;
  progress?: boolean;
}

function price(text: string): number {
  const n = Number(text);
  if (!(n >= 0) || text.trim() === '') throw new InvalidArgumentError('expected a price per kWh, e.g. 0.28');
  return n;
}

export function withPrometheusSourceOptions(cmd: Command): Command {
  return cmd
    .option('--prometheus-user <name>', 'basic auth user for Prometheus')
    .option('--prometheus-password-file <file>', 'basic auth password, read from this file')
    .option('--price-per-kwh <price>', 'a flat tariff, when tierwise.yml has no tariff: section', price)
    .option('--currency <code>', 'currency of --price-per-kwh', 'EUR')
    .option('--progress', 'report each query on stderr even when it is not a terminal');
}

/** On a terminal one line rewritten in place; elsewhere (--progress) a line each. */
export function say(progress: boolean, line: string): void {
  if (!progress) return;
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
}

/** --price-per-kwh wins over tierwise.yml's tariff, so one file serves both commands and quick tries. */
export function tariffFrom(flags: PrometheusSourceFlags, config: TierwiseConfig) {
  if (flags.pricePerKwh !== undefined)
    return tariffSchema.parse({ price_per_kwh: flags.pricePerKwh, currency: flags.currency });
  if (!config.tariff)
    throw new UsageError(
      `no tariff: add a tariff: section to ${flags.config ?? 'tierwise.yml (--config)'} (docs/advise.md) or pass --price-per-kwh`,
    );
  return config.tariff;
}

export async function prometheusTarget(
  url: string,
  flags: PrometheusSourceFlags,
  config: TierwiseConfig,
): Promise<PrometheusTarget> {
  const { prometheus } = config.collector;
  const user = flags.prometheusUser ?? prometheus.basic_auth?.username;
  const passwordFile = flags.prometheusPasswordFile ?? prometheus.basic_auth?.password_file;
  if ((user === undefined) !== (passwordFile === undefined))
    throw new UsageError('basic auth needs both --prometheus-user and --prometheus-password-file');
  const password = passwordFile === undefined ? undefined : (await readFile(passwordFile, 'utf8')).trim();
  return {
    url,
    timeoutMs: prometheus.timeout_seconds * 1000,
    ...(user !== undefined && password !== undefined && { basicAuth: { username: user, password } }),
  };
}
