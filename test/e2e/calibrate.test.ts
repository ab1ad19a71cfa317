import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fitLinearProfile } from '../../exporters/power/calibrate/fit.ts';
import { bundle } from '../support/agent-process.ts';
import { specpowerPoints } from '../support/power-profiles.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

// A machine measured by a plug for 110 minutes, ten at each of the eleven load levels of a real
// SPECpower result (the Dell PowerEdge R240 of profiles.csv #54): its CPU counters and plug readings,
// written as the agent's series and loaded into Prometheus as history.
const INSTANCE = 'r240:10090';
const LEVELS = specpowerPoints('power_ssj2008-20190702-00979');
const SCRAPE = 15;
const PER_LEVEL = 600;

function history(endSeconds: number): string {
  const start = endSeconds - LEVELS.length * PER_LEVEL;
  const labels = `instance="${INSTANCE}",job="tierwise"`;
  const cpu = new Map<string, string[]>();
  const power: string[] = [];
  const counters = { idle: [0, 0], user: [0, 0] };
  for (let t = start; t < endSeconds; t += SCRAPE) {
    const level = LEVELS[Math.min(LEVELS.length - 1, Math.floor((t - start) / PER_LEVEL))];
    if (!level) continue;
    for (const c of [0, 1]) {
      (counters.idle[c] as number) += (1 - level.utilisation) * SCRAPE;
      (counters.user[c] as number) += level.utilisation * SCRAPE;
      for (const mode of ['idle', 'user'] as const) {
        const key = `node_cpu_seconds_total{${labels},cpu="${c}",mode="${mode}"}`;
        const lines = cpu.get(key) ?? [];
        lines.push(`${key} ${(counters[mode][c] as number).toFixed(3)} ${t}`);
        cpu.set(key, lines);
      }
    }
    power.push(`tierwise_node_power_watts{${labels},source="plug"} ${level.watts} ${t}`);
  }
  return [
    '# TYPE node_cpu_seconds_total counter',
    ...[...cpu.values()].flat(),
    '# TYPE tierwise_node_power_watts gauge',
    ...power,
    '# EOF',
    '',
  ].join('\n');
}

let prometheus: TestPrometheus;

beforeAll(async () => {
  const end = Math.floor(Date.now() / 1000) - 60;
  prometheus = await startPrometheus([], '15s', async (dataDir) => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'tierwise-history-')), 'history.om');
    await writeFile(file, history(end));
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dataDir]);
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
});

const calibrate = (...args: string[]) =>
  spawnSync(process.execPath, [bundle, 'calibrate', ...args], { encoding: 'utf8', timeout: 60_000 });
/** calibrate against the plug history of the test Prometheus. */
const fromHistory = (...args: string[]) =>
  calibrate(
    '--prometheus',
    prometheus.url,
    '--instance',
    INSTANCE,
    '--source',
    'plug',
    '--since',
    '3h',
    ...args,
  );

describe('tierwise calibrate --prometheus', () => {
  it("fits the machine's profile to its plug history and reports the model's error", () => {
    const run = fromHistory('--step', '5m', '--name', 'r240', '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { fit, points } = JSON.parse(run.stdout) as {
      fit: { idleWatts: number; maxWatts: number; error: { maxAbsWatts: number } };
      points: { utilisation: number; watts: number }[];
    };
    // Two 5-minute points per level (some straddle two levels): about 22 points from 0 to 100 % busy.
    expect(points.length).toBeGreaterThanOrEqual(18);
    expect(fit.error.maxAbsWatts).toBeLessThan(15); // no point far off the measured curve
    expect(Math.min(...points.map((p) => p.utilisation))).toBeCloseTo(0, 2);
    expect(Math.max(...points.map((p) => p.utilisation))).toBeCloseTo(1, 2);
    // Every point is a level's measured power, or a mix of two neighbours' where a window straddles them.
    const measured = LEVELS.map((l) => l.watts);
    for (const p of points) {
      expect(p.watts).toBeGreaterThanOrEqual(Math.min(...measured) - 1e-9);
      expect(p.watts).toBeLessThanOrEqual(Math.max(...measured) + 1e-9);
    }
    // About the line fitted to the eleven measured points directly; the mixed points pull it a little.
    const direct = fitLinearProfile(LEVELS);
    expect(Math.abs(fit.idleWatts - direct.idleWatts)).toBeLessThan(1);
    expect(Math.abs(fit.maxWatts - direct.maxWatts)).toBeLessThan(2);
    expect(fit.error.maxAbsWatts).toBeGreaterThan(3); // a line cannot follow the convex curve
  });

  it('prints a profile to paste into tierwise.yml, and how the profile in use compares', () => {
    const config = path.join(os.tmpdir(), `tierwise-calibrate-${process.pid}.yml`);
    execFileSync('sh', ['-c', `printf 'agent:\\n  power:\\n    profile: small-server\\n' > '${config}'`]);
    const run = fromHistory('--config', config);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/error of the profile in use \(small-server\): mean \d+\.\d\d W/);
    const yaml = parse(run.stdout.slice(run.stdout.indexOf('agent:'))) as {
      agent: { power: { profiles: Record<string, { idle_watts: number; max_watts: number }> } };
    };
    expect(yaml.agent.power.profiles.calibrated?.max_watts).toBeGreaterThan(80);
  });

  it('says what is wrong with an unknown instance, and refuses bad flags with exit 2', () => {
    const unknown = calibrate('--prometheus', prometheus.url, '--instance', 'nas:10090', '--source', 'plug');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no tierwise_node_power_watts\{instance="nas:10090",source="plug"\}/);
    expect(calibrate('--drive-load', '--steps', '0,150').status).toBe(2);
    expect(calibrate('--prometheus', prometheus.url).status).toBe(2); // no --instance
  });
});
