import path from 'node:path';
import { Command } from 'commander';
import { reportTimezone } from '../collector/report/deliver/config.ts';
import { reportBaseName } from '../collector/report/deliver/store.ts';
import { runWeeklyReport } from '../collector/report/run.ts';
import { lastCompleteWeek, parseWeek, WeekError } from '../collector/report/week.ts';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/log.ts';
import {
  type PrometheusSourceFlags,
  prometheusTarget,
  say,
  tariffFrom,
  withPrometheusSourceOptions,
} from './prometheus-source.ts';
import { UsageError } from './usage-error.ts';

interface ReportFlags extends PrometheusSourceFlags {
  deliver?: boolean;
  'log.level'?: string;
  prometheus?: string;
  week?: string;
  tz?: string;
  out?: string;
  progress?: boolean;
}

export function reportCommand(): Command {
  return withPrometheusSourceOptions(new Command('report'))
    .description(
      'the weekly report (docs/report.md): one ISO week’s costs, moves, alerts and data coverage as HTML, Markdown and JSON',
    )
    .option(
      '--prometheus <url>',
      'read the tierwise:* series and ALERTS from this Prometheus or VictoriaMetrics',
    )
    .option('--week <iso-week>', 'the week, e.g. 2026-W47 (default: the last complete week in --tz)')
    .option(
      '--tz <zone>',
      'the time zone weeks start in (default report.timezone, else tariff.timezone in --config, else UTC)',
    )
    .option('--out <dir>', 'write <week>.html, <week>.md and <week>.json here (default report.out_dir)')
    .option('--deliver', 'also send it to every destination in report.destinations (docs/report-delivery.md)')
    .option('--log.level <level>', 'debug, info, warn or error (delivery is logged from info)', 'warn')
    .option('--config <file>', 'tierwise.yml: tariff, machines facts, collector settings')
    .action(async (flags: ReportFlags) => {
      const config = await loadConfig(flags.config);
      const url = flags.prometheus ?? config.collector.prometheus.url;
      if (!url)
        throw new UsageError(
          'say where the data is: --prometheus <url> (or collector.prometheus.url in --config)',
        );
      const tz = flags.tz ?? reportTimezone(config);
      let week: ReturnType<typeof parseWeek>;
      try {
        week = flags.week === undefined ? lastCompleteWeek(Date.now() / 1000, tz) : parseWeek(flags.week, tz);
      } catch (err) {
        if (err instanceof WeekError) throw new UsageError(err.message);
        throw err;
      }
      if (week.end > Date.now() / 1000)
        throw new UsageError(`${week.label} has not ended yet in ${tz}: a report is of a complete week`);
      const tariff = tariffFrom(flags, config);
      const target = await prometheusTarget(url, flags, config);

      const progress = flags.progress === true || process.stderr.isTTY === true;
      const outDir = flags.out ?? config.report.out_dir;
      const { rendered, outcomes } = await runWeeklyReport(target, config, {
        week,
        tariff,
        outDir,
        deliver: flags.deliver === true,
        log: createLogger(flags['log.level'] ?? 'warn'),
        onProgress: (line) => say(progress, line),
      });
      if (progress && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      const base = path.join(outDir, reportBaseName(rendered.week));
      process.stdout.write(`${['html', 'md', 'json'].map((ext) => `${base}.${ext}`).join('\n')}\n`);
      const failed = outcomes.filter((o) => !o.ok);
      if (failed.length > 0) {
        process.exitCode = 1;
        process.stderr.write(
          `tierwise: not delivered to ${failed.map((o) => `${o.destination} (${o.error})`).join(', ')}; the report is in ${outDir}\n`,
        );
      }
    });
}
