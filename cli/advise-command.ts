import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { type Advice, advise } from '../collector/advisor/advice.ts';
import type { QueryProgress } from '../collector/advisor/contract-queries.ts';
import { formatDuration, parseDuration } from '../collector/advisor/duration.ts';
import { scenarioFromPrometheus } from '../collector/advisor/prometheus-scenario.ts';
import { adviceText } from '../collector/advisor/report-text.ts';
import { loadScenario } from '../collector/advisor/scenario-file.ts';
import { loadConfig } from '../common/config.ts';
import { warmUpSolver } from '../cost/placement/highs.ts';
import { scenarioJson } from '../cost/scenario.ts';
import {
  type PrometheusSourceFlags,
  prometheusTarget,
  say,
  tariffFrom,
  withPrometheusSourceOptions,
} from './prometheus-source.ts';
import { UsageError } from './usage-error.ts';

interface AdviseFlags extends PrometheusSourceFlags {
  prometheus?: string;
  scenario?: string;
  window?: number;
  step?: number;
  json?: boolean;
  saveScenario?: string;
}

function duration(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new InvalidArgumentError('expected a duration such as 6h, 7d or 2w');
  return seconds;
}

export function adviseCommand(): Command {
  return withPrometheusSourceOptions(new Command('advise'))
    .description(
      'what each machine and workload costs, and where each workload should run (docs/advise.md): from Prometheus history, or a what-if scenario file',
    )
    .option('--prometheus <url>', 'read the tierwise:* series from this Prometheus or VictoriaMetrics')
    .option('--scenario <file>', 'run on a plain-data scenario instead (cost/scenario.schema.json)')
    .option('--config <file>', 'tierwise.yml: tariff, machines facts, collector settings')
    .option('--window <duration>', 'how much history to price (default collector.window, 7d)', duration)
    .option('--step <duration>', 'one point per this interval (default collector.step, 5m)', duration)
    .option('--save-scenario <file>', 'also write the scenario built from Prometheus, to edit into a what-if')
    .option('--json', 'print {costs, placement} as JSON instead of tables')
    .action(async (flags: AdviseFlags) => {
      const config = await loadConfig(flags.config);
      const url = flags.prometheus ?? (flags.scenario ? undefined : config.collector.prometheus.url);
      if (flags.scenario && flags.prometheus)
        throw new UsageError('give either --prometheus or --scenario, not both');
      if (!flags.scenario && !url)
        throw new UsageError(
          'say what to advise on: --prometheus <url> (or collector.prometheus.url in --config) or --scenario <file>',
        );
      if (
        flags.scenario &&
        (flags.window !== undefined ||
          flags.step !== undefined ||
          flags.pricePerKwh !== undefined ||
          flags.saveScenario !== undefined)
      )
        throw new UsageError(
          '--window, --step, --price-per-kwh and --save-scenario apply to --prometheus; a scenario carries its own',
        );

      const progress = flags.progress === true || process.stderr.isTTY === true;
      let advice: Advice;
      if (flags.scenario) {
        const scenario = await loadScenario(flags.scenario);
        say(progress, 'planning placement…');
        advice = await advise({ scenario, source: { kind: 'scenario', file: flags.scenario } });
      } else {
        const target = await prometheusTarget(url as string, flags, config);
        warmUpSolver();
        const windowSeconds = flags.window ?? config.collector.window;
        const built = await scenarioFromPrometheus(target, {
          windowSeconds,
          stepSeconds: flags.step ?? config.collector.step,
          tariff: tariffFrom(flags, config),
          declarations: config.machines,
          options: config.collector.options,
          onQuery: (p) => say(progress, queryLine(p)),
        }).catch((err: Error) => {
          throw err.message.includes(target.url)
            ? err
            : new Error(`Prometheus ${target.url}: ${err.message}`);
        });
        if (flags.saveScenario) await writeFile(flags.saveScenario, `${scenarioJson(built.scenario)}\n`);
        say(progress, 'planning placement…');
        advice = await advise({
          scenario: built.scenario,
          source: { kind: 'prometheus', url: target.url, window: formatDuration(windowSeconds) },
          warnings: built.warnings,
          thin: built.thin,
        });
      }
      if (progress && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      process.stdout.write(flags.json ? `${JSON.stringify(advice, null, 2)}\n` : adviceText(advice));
    });
}

const queryLine = (p: QueryProgress) => `querying ${p.index}/${p.of}: ${p.name}…`;
