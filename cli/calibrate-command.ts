import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { silentLogger } from '../common/log.ts';
import { resolveProfile } from '../exporters/collectors/power-model.ts';
import {
  type FittedProfile,
  fitLinearProfile,
  type ModelError,
  modelError,
  type PowerPoint,
} from '../exporters/power/calibrate/fit.ts';
import { pointsFromPrometheus } from '../exporters/power/calibrate/history.ts';
import { runLoadSteps } from '../exporters/power/calibrate/load-steps.ts';
import { collectorMeter } from '../exporters/power/calibrate/meter.ts';
import type { PowerSource } from '../exporters/power/series.ts';
import { addHostOptions, type HostOptionValues, hostPaths, loadConfigFrom } from './host-options.ts';
import { UsageError } from './usage-error.ts';

interface CalibrateFlags extends HostOptionValues {
  source: PowerSource;
  driveLoad?: boolean;
  steps: number[];
  stepSeconds: number;
  settleSeconds: number;
  prometheus?: string;
  prometheusPasswordFile?: string;
  prometheusUser?: string;
  instance?: string;
  since: number;
  step: number;
  name: string;
  json?: boolean;
}

function percentList(text: string): number[] {
  const levels = text.split(',').map((s) => Number(s.trim()));
  if (levels.some((l) => !Number.isFinite(l) || l < 0 || l > 100))
    throw new InvalidArgumentError('expected comma-separated percentages from 0 to 100, e.g. 0,25,50,75,100');
  return levels.map((l) => l / 100);
}

function duration(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 90s, 5m, 6h or 7d');
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

function positive(text: string): number {
  const n = Number(text);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function calibrateCommand(): Command {
  const cmd = new Command('calibrate').description(
    "fit this machine's power profile (idle and max watts) to a measurement, and report the model's error",
  );
  addHostOptions(cmd)
    .option('--source <source>', 'the measured source to fit to: plug, rapl, hwmon, battery, pmic', 'rapl')
    .option('--drive-load', 'run CPU load steps here and measure each (takes steps × step-seconds)')
    .addOption(
      new Option('--steps <percent,…>', 'load levels to drive')
        .argParser(percentList)
        .default([0, 0.25, 0.5, 0.75, 1], '0,25,50,75,100'),
    )
    .option('--step-seconds <s>', 'length of each load step', positive, 30)
    .option('--settle-seconds <s>', 'start of each step left out while load and sensor settle', positive, 5)
    .option('--prometheus <url>', "fit to this machine's past data in Prometheus instead")
    .option('--prometheus-user <name>', 'basic auth user for Prometheus')
    .option('--prometheus-password-file <file>', 'basic auth password, read from this file')
    .option('--instance <instance>', 'the instance label of this machine in Prometheus')
    .addOption(
      new Option('--since <duration>', 'how far back to read history')
        .argParser(duration)
        .default(7 * 86400, '7d'),
    )
    .addOption(
      new Option('--step <duration>', 'one point per this interval of history')
        .argParser(duration)
        .default(300, '5m'),
    )
    .option('--name <profile>', 'name for the fitted profile in the YAML printed', 'calibrated')
    .option('--json', 'print JSON instead of a report');
  return cmd.action(async (flags: CalibrateFlags) => {
    const config = await loadConfigFrom(flags);
    const ctx = { paths: hostPaths(flags), config: config.agent, log: silentLogger };
    let points: PowerPoint[];
    if (flags.prometheus) {
      if (!flags.instance) throw new UsageError('--prometheus needs --instance');
      const password = flags.prometheusPasswordFile
        ? (await readFile(flags.prometheusPasswordFile, 'utf8')).trim()
        : undefined;
      const end = Math.floor(Date.now() / 1000);
      points = await pointsFromPrometheus(
        {
          url: flags.prometheus,
          ...(flags.prometheusUser && password !== undefined
            ? { basicAuth: { username: flags.prometheusUser, password } }
            : {}),
        },
        {
          instance: flags.instance,
          source: flags.source,
          start: end - flags.since,
          end,
          stepSeconds: flags.step,
        },
      );
    } else if (flags.driveLoad) {
      const meter = collectorMeter(ctx, flags.source);
      points = await runLoadSteps({
        levels: flags.steps,
        stepSeconds: flags.stepSeconds,
        settleSeconds: Math.min(flags.settleSeconds, flags.stepSeconds / 2),
        meter,
        onStep: ({ level, index, of, point }) =>
          process.stderr.write(
            point
              ? `  step ${index + 1}/${of}: ${(point.utilisation * 100).toFixed(1)} % busy, ${point.watts.toFixed(2)} W\n`
              : `step ${index + 1}/${of}: ${Math.round(level * 100)} % load for ${flags.stepSeconds} s …\n`,
          ),
      });
    } else {
      throw new UsageError('say where the measurement comes from: --drive-load or --prometheus <url>');
    }
    const fit = fitLinearProfile(points);
    const current = await resolveProfile(ctx).then(
      ({ name, profile }) => ({ name, error: modelError(profile, points) }),
      () => undefined,
    );
    const yaml = stringify({
      agent: {
        power: {
          profile: flags.name,
          profiles: {
            [flags.name]: {
              idle_watts: round(fit.idleWatts),
              max_watts: round(fit.maxWatts),
              source: `tierwise calibrate against ${flags.source}, ${fit.points} points, ${new Date().toISOString().slice(0, 10)}`,
            },
          },
        },
      },
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ fit, current, points }, null, 2)}\n`);
      return;
    }
    process.stdout.write(report(fit, flags.source, current, yaml));
  });
}

const round = (n: number) => Math.round(n * 100) / 100;

function describeError(e: ModelError): string {
  return `mean ${e.meanAbsWatts.toFixed(2)} W (${(e.meanAbsRatio * 100).toFixed(1)} %), worst ${e.maxAbsWatts.toFixed(2)} W`;
}

function report(
  fit: FittedProfile,
  source: string,
  current: { name: string; error: ModelError } | undefined,
  yaml: string,
): string {
  const [lo, hi] = fit.utilisationRange;
  return [
    `fitted to ${fit.points} points measured by ${source}, CPU ${(lo * 100).toFixed(0)}–${(hi * 100).toFixed(0)} % busy`,
    `  idle ${fit.idleWatts.toFixed(2)} W, max ${fit.maxWatts.toFixed(2)} W, r² ${fit.r2.toFixed(3)}`,
    `  error of the fitted model: ${describeError(fit.error)}`,
    current
      ? `  error of the profile in use (${current.name}): ${describeError(current.error)}`
      : '  no profile in use to compare with',
    hi < 0.9 ? `  note: max is extrapolated beyond ${(hi * 100).toFixed(0)} % busy` : undefined,
    '',
    'to use it, add to tierwise.yml:',
    yaml,
  ]
    .filter((l) => l !== undefined)
    .join('\n');
}
