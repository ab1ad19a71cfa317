import { Command } from 'commander';
import { advise } from '../collector/advisor/advice.ts';
import { formatDuration } from '../collector/advisor/duration.ts';
import { scenarioFromPrometheus } from '../collector/advisor/prometheus-scenario.ts';
import { buildAdvisorService } from '../collector/advisor/service.ts';
import { startReportSchedule } from '../collector/report/collector-schedule.ts';
import { reportTimezone } from '../collector/report/deliver/config.ts';
import { liveViewFromPrometheus } from '../collector/web/live-from-prometheus.ts';
import { reportsArchive } from '../collector/web/reports-archive.ts';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/log.ts';
import { loadWebConfig } from '../common/web-config.ts';
import { parseListenAddress } from '../exporters/agent/agent.ts';
import { prometheusTarget } from './prometheus-source.ts';
import { UsageError } from './usage-error.ts';

interface CollectorFlags {
  config?: string;
  prometheus?: string;
  'report.outDir'?: string;
  'web.listenAddress'?: string;
  'web.config.file'?: string;
  'log.level': string;
}

export function collectorCommand(): Command {
  return new Command('collector')
    .description(
      'price the lab from Prometheus on a timer; serve this week so far at /, the weekly reports at /reports, /api/costs, /api/placement and /metrics; run the weekly report on report.schedule (docs/advise.md)',
    )
    .option('--config <file>', 'tierwise.yml with tariff:, machines: and collector:')
    .option('--prometheus <url>', 'Prometheus or VictoriaMetrics to read (default collector.prometheus.url)')
    .option(
      '--report.out-dir <dir>',
      'where weekly reports are written and served from (default report.out_dir)',
    )
    .option('--web.listen-address <addr>', 'address to listen on (default collector.listen_address, :10092)')
    .option('--web.config.file <file>', 'TLS and basic auth, in the Prometheus web-config.yml format')
    .option('--log.level <level>', 'debug, info, warn or error', 'info')
    .action(async (flags: CollectorFlags) => {
      const config = await loadConfig(flags.config);
      const { collector } = config;
      const url = flags.prometheus ?? collector.prometheus.url;
      if (!url)
        throw new UsageError('say which Prometheus to read: --prometheus <url> or collector.prometheus.url');
      const tariff = config.tariff;
      if (!tariff)
        throw new UsageError(
          `no tariff: add a tariff: section to ${flags.config ?? 'tierwise.yml (--config)'} (docs/advise.md)`,
        );
      const { host, port } = parseListenAddress(flags['web.listenAddress'] ?? collector.listen_address);
      const log = createLogger(flags['log.level']);
      const webConfig = await loadWebConfig(flags['web.config.file']);
      const target = await prometheusTarget(url, {}, config);
      const timezone = reportTimezone(config);
      const outDir = flags['report.outDir'] ?? config.report.out_dir;
      const source = {
        tariff,
        declarations: config.machines,
        options: collector.options,
      };
      const service = buildAdvisorService({
        webConfig,
        log,
        tariff,
        refreshSeconds: collector.refresh_interval,
        compute: async () => {
          const built = await scenarioFromPrometheus(target, {
            windowSeconds: collector.window,
            stepSeconds: collector.step,
            ...source,
          });
          return advise({
            scenario: built.scenario,
            source: { kind: 'prometheus', url, window: formatDuration(collector.window) },
            warnings: built.warnings,
            thin: built.thin,
          });
        },
        live: {
          refreshSeconds: collector.live_refresh_interval,
          compute: () =>
            liveViewFromPrometheus(target, {
              timezone,
              stepSeconds: collector.step,
              nowSeconds: Date.now() / 1000,
              ...source,
            }),
        },
        reports: reportsArchive(outDir),
        timezone,
      });
      const address = await service.app.listen({ host, port });
      log.info({ address, prometheus: url }, 'tierwise collector listening');
      service.start();
      const schedule = config.report.in_collector
        ? startReportSchedule({ target, config, tariff, timezone, outDir, log })
        : undefined;
      const stop = async (signal: string) => {
        log.info({ signal }, 'stopping');
        service.stop();
        schedule?.stop();
        await service.app.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
