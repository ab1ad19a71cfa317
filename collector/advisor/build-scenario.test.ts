import { describe, expect, it } from 'vitest';
import type { RangeSeries } from '../../common/prometheus-client.ts';
import { archesOf, buildScenario, NoDataError } from './build-scenario.ts';
import type { ContractData, GridRangeSeries } from './contract-queries.ts';
import type { Grid } from './grid.ts';

// A day at hourly steps: 24 points from midnight.
const grid: Grid = { start: 86400 * 100, stepSeconds: 3600, points: 24 };
const at = (i: number) => grid.start + i * grid.stepSeconds;
/** A history series as fetchContract hands it over: on the grid, NaN where there is no data. */
const series = (
  metric: Record<string, string>,
  value: (i: number) => number | undefined,
): GridRangeSeries => ({
  metric,
  values: Float64Array.from({ length: grid.points }, (_, i) => value(i) ?? Number.NaN),
});
/** An inventory gauge: one value at the window's end. */
const gauge = (metric: Record<string, string>, value: number): RangeSeries => ({
  metric,
  values: [[at(grid.points - 1), String(value)]],
});

const empty = (): ContractData => ({
  power: [],
  idle: [],
  busy: [],
  gpuPower: [],
  workloadCpu: [],
  workloadMemory: [],
  workloadGpuPower: [],
  workloadGpuMemory: [],
  nodeInfo: [],
  speedScore: [],
  cpuCores: [],
  memoryBytes: [],
  gpuMemory: [],
  powerProfile: [],
  workloadInfo: [],
});

/** Two machines: a mini PC measured by RAPL, and a Pi 4 (armv7 OS) on the power model. */
function lab(): ContractData {
  const d = empty();
  // Busy 0–40 % over the day, power 6 W + 20 W × busy on the mini PC.
  const busy = (i: number) => (i % 6) / 15;
  d.power.push(
    series({ instance: 'mini', source: 'components' }, (i) => 6 + 20 * busy(i)),
    series({ instance: 'pi', source: 'model' }, (i) => 2.7 + 3.7 * busy(i)),
  );
  d.idle.push(
    series({ instance: 'mini' }, () => 6.2),
    series({ instance: 'pi' }, () => 2.8),
  );
  d.busy.push(series({ instance: 'mini' }, busy), series({ instance: 'pi' }, busy));
  for (const [instance, tier, arch, score, cores, mem] of [
    ['mini', 'mini-pc', 'amd64', 120, 4, 16e9],
    ['pi', 'pi', 'armv7', 35, 4, 4e9],
  ] as const) {
    d.nodeInfo.push(gauge({ instance, tier, arch }, 1));
    d.speedScore.push(gauge({ instance }, score));
    d.cpuCores.push(gauge({ instance }, cores));
    d.memoryBytes.push(gauge({ instance }, mem));
  }
  return d;
}

const tariff = { price_per_kwh: 0.3 };
const build = (d: ContractData, declarations = {}) => buildScenario(d, { grid, tariff, declarations });
const w = (instance: string, workload: string, kind = 'container') => ({
  instance,
  workload,
  kind,
  namespace: '',
});

describe('buildScenario', () => {
  it('turns the contract into machines with fitted power and Docker architectures', () => {
    const { scenario, coverage, thin, warnings } = build(lab());
    expect(warnings).toEqual([]);
    expect(coverage).toBe(1);
    expect(thin).toBe(false);
    const [mini, pi] = scenario.machines;
    expect(mini).toMatchObject({
      name: 'mini',
      tier: 'mini-pc',
      arch: 'amd64',
      cpu_cores: 4,
      speed_score: 120,
      power_source: 'components',
      power: { idle_watts: 6.2, source: 'measured' },
    });
    // Idle from the contract, the slope fitted from busy vs power: 20 W from idle to full load.
    expect(mini?.power.max_watts).toBeCloseTo(26.2, 6);
    expect(mini?.power_watts).toHaveLength(24);
    // The model's watts are its profile's; an armv7 OS runs Docker's linux/arm images.
    expect(pi).toMatchObject({ arch: 'arm', power: { source: 'profile' } });
    const calibrated = lab();
    calibrated.powerProfile.push(
      gauge(
        { instance: 'pi', profile: 'mine', source: 'tierwise calibrate against plug, 40 points, 2026-10-01' },
        1,
      ),
    );
    expect(build(calibrated).scenario.machines[1]?.power.source).toBe('calibrated');
    expect(scenario.window).toEqual({ start: grid.start, end: grid.start + 24 * 3600, step_seconds: 3600 });
  });

  it('normalises CPU by the speed score of the machine each sample ran on, and follows a move', () => {
    const d = lab();
    // Half a core on the Pi for the first 12 hours, then a quarter core on the mini PC.
    d.workloadCpu.push(
      series(w('pi', 'app'), (i) => (i < 12 ? 0.5 : undefined)),
      series(w('mini', 'app'), (i) => (i >= 12 ? 0.25 : undefined)),
    );
    d.workloadMemory.push(series(w('mini', 'app'), (i) => (i >= 12 ? 100 + i : undefined)));
    const app = build(d).scenario.workloads[0];
    expect(app?.machine).toBe('mini'); // where it runs now
    expect(app?.cpu.max).toBeCloseTo(30, 9); // 0.25 × 120 (the Pi's 0.5 × 35 = 17.5)
    expect(app?.cpu.mean).toBeCloseTo((17.5 + 30) / 2, 9);
    expect(app?.memory.max_bytes).toBe(123);
    expect(app?.cpu_cores?.filter((v) => !Number.isNaN(v))).toHaveLength(12); // cores of its current machine only
  });

  it('leaves host/other with its machine, and splits replicas running at once', () => {
    const d = lab();
    d.workloadCpu.push(
      series(w('mini', 'host/other', 'process'), () => 0.1),
      series(w('mini', 'web/Deployment/api', 'pod'), () => 0.1),
      series(w('pi', 'web/Deployment/api', 'pod'), () => 0.1),
    );
    const names = build(d).scenario.workloads.map((x) => [x.name, x.machine]);
    expect(names).toEqual([
      ['web/Deployment/api@mini', 'mini'],
      ['web/Deployment/api@pi', 'pi'],
    ]);
  });

  it('reads placement hints from tierwise_workload_info, and takes VRAM held as needing a GPU', () => {
    const d = lab();
    d.gpuPower.push(series({ instance: 'mini' }, () => 100));
    d.gpuMemory.push(gauge({ instance: 'mini', uuid: 'GPU-1', model: 'RTX 3060' }, 12e9));
    d.workloadCpu.push(
      series(w('mini', 'llm'), () => 0.2),
      series(w('pi', 'dns'), () => 0.01),
    );
    d.workloadGpuMemory.push(series(w('mini', 'llm'), () => 6e9));
    d.workloadGpuPower.push(series(w('mini', 'llm'), () => 40));
    d.workloadInfo.push(
      gauge({ ...w('mini', 'llm'), image_platforms: 'linux/amd64', needs_gpu: '', pin: '' }, 1),
      gauge(
        {
          ...w('pi', 'dns'),
          image_platforms: 'linux/arm/v7,linux/arm64',
          pin: 'pi',
          latency_sensitive: 'true',
        },
        1,
      ),
    );
    const { scenario } = build(d);
    expect(scenario.machines[0]?.gpus).toEqual([{ model: 'RTX 3060', vram_bytes: 12e9 }]);
    const [dns, llm] = scenario.workloads;
    expect(llm).toMatchObject({
      needs_gpu: true,
      arches: ['amd64'],
      gpu: { vram_bytes: 6e9, power_share: 0.4 },
      always_on: false,
    });
    expect(llm?.gpu_watts?.[0]).toBe(40);
    expect(dns).toMatchObject({
      arches: ['arm', 'arm64'],
      pin: 'pi',
      latency_sensitive: true,
      needs_gpu: false,
    });
  });

  it("merges the owner's facts, and leaves out a machine it cannot price, saying why", () => {
    const d = lab();
    d.power.push(series({ instance: 'nas', source: 'plug' }, () => 30));
    d.workloadCpu.push(series(w('nas', 'smb.service', 'service'), () => 0.1));
    const { scenario, warnings } = build(d, {
      mini: { may_sleep: false, purchase_price: 160, lifetime_years: 5, always_on: true },
      pi: { may_sleep: false, arch: 'arm64', may_power_off: false },
      ghost: { may_sleep: false },
    });
    expect(scenario.machines.map((m) => m.name)).toEqual(['mini', 'pi']);
    expect(scenario.machines[0]).toMatchObject({ purchase_price: 160, lifetime_years: 5, always_on: true });
    expect(scenario.machines[1]).toMatchObject({ arch: 'arm64', may_power_off: false });
    expect(warnings).toEqual([
      'nas left out: no tierwise_node_cpu_speed_score (or machines.<name>.speed_score), tierwise_node_cpu_cores, tierwise_node_memory_bytes, tierwise_node_info in the window',
      'machines.ghost in tierwise.yml has no data in Prometheus in the window',
      'workloads on nas left out with their machine',
    ]);
  });

  it('prices a machine that never got busy from the range it was seen in, and says so', () => {
    const d = lab();
    d.busy = [series({ instance: 'mini' }, () => 0.02), series({ instance: 'pi' }, (i) => (i % 6) / 15)];
    const { scenario, warnings } = build(d);
    expect(scenario.machines[0]?.power.max_watts).toBeGreaterThan(6.2);
    expect(warnings).toEqual([expect.stringMatching(/^mini: its CPU load hardly varied/)]);
  });

  it('flags a window mostly without data, and refuses one with none', () => {
    const d = lab();
    d.power = d.power.map((s) => ({
      ...s,
      values: s.values.map((v, i) => (i < grid.points - 6 ? Number.NaN : v)),
    }));
    const { thin, coverage, warnings } = build(d);
    expect(coverage).toBe(0.25);
    expect(thin).toBe(true);
    expect(warnings[0]).toMatch(/^power data covers only 25 % of the window/);
    expect(() => build(empty())).toThrow(NoDataError);
    expect(() => build({ ...empty(), power: lab().power })).toThrow(
      /no machine has both power and inventory/,
    );
  });
});

describe('archesOf', () => {
  it('reads OCI platforms as Docker architectures; empty runs anywhere', () => {
    expect(archesOf('linux/arm/v7')).toEqual(['arm']);
    expect(archesOf('linux/amd64, linux/arm64')).toEqual(['amd64', 'arm64']);
    expect(archesOf('')).toEqual([]);
    expect(archesOf(undefined)).toEqual([]);
  });
});
