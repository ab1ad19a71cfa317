import { describe, expect, it } from 'vitest';
import { WEEKS_PER_MONTH } from '../model.ts';
import { type Scenario, type ScenarioInput, scenarioSchema } from '../scenario.ts';
import { planPlacement } from './index.ts';
import type { PlacementPlan } from './types.ts';

/**
 * The four cases the issue asks for, each with its plan and savings worked out by hand. A flat tariff of
 * 0.30 a kWh makes one watt for a week 168 h × 0.30 / 1000 = 0.0504 EUR. Speeds are chosen so that
 * every machine's dynamic watts per score-core, (max − idle) / (cores × speed), is a round number.
 */
const EUR_PER_WATT_WEEK = 0.0504;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

type MachineInput = ScenarioInput['machines'][number];
type WorkloadInput = ScenarioInput['workloads'] extends (infer W)[] | undefined ? W : never;

const machine = (
  name: string,
  tier: string,
  idle: number,
  max: number,
  extra: Partial<MachineInput> = {},
) => ({
  name,
  tier,
  arch: 'amd64',
  cpu_cores: 4,
  speed_score: 100,
  memory_bytes: 16 * GIB,
  power: { idle_watts: idle, max_watts: max, source: 'profile' as const },
  power_watts: [idle],
  ...extra,
});

const workload = (
  name: string,
  on: string,
  mean: number,
  p95: number,
  memoryMiB: number,
  extra: Partial<WorkloadInput> = {},
) => ({
  name,
  kind: 'container',
  machine: on,
  cpu: { mean, p95, max: p95 },
  memory: { p95_bytes: memoryMiB * MIB, max_bytes: memoryMiB * MIB },
  ...extra,
});

function scenario(machines: MachineInput[], workloads: WorkloadInput[]): Scenario {
  return scenarioSchema.parse({
    window: { start: 1_700_000_000, end: 1_700_000_000 + 7 * 86_400, step_seconds: 3600 },
    tariff: { price_per_kwh: 0.3 },
    machines,
    workloads,
  });
}

const movesOf = (plan: PlacementPlan) => plan.moves.map((m) => [m.workload, m.from, m.to]);
const savingsAddUp = (plan: PlacementPlan) =>
  plan.moves.reduce((s, m) => s + m.saving_per_week, 0) +
  plan.power_off.reduce((s, p) => s + p.saving_per_week, 0);
/** The same total, each switch-off's saving carried by the moves that empty its machine (if any). */
const netSavingsAddUp = (plan: PlacementPlan) =>
  plan.moves.reduce((s, m) => s + m.net_saving_per_week, 0) +
  plan.power_off
    .filter((p) => !plan.moves.some((m) => m.from === p.machine))
    .reduce((s, p) => s + p.saving_per_week, 0);

// nas: always on, (60 − 20) / 400 = 0.1 W per score-core; desktop-1: (120 − 40) / 400 = 0.2;
// n100: (26 − 6) / (4 × 125) = 0.04. CPU limit 0.8 × 4 = 3.2 cores each.
const homelab = (jellyfin: Partial<WorkloadInput> = {}) =>
  scenario(
    [
      machine('nas', 'storage', 20, 60, { always_on: true, memory_bytes: 4 * GIB }),
      machine('desktop-1', 'desktop', 40, 120),
      machine('n100', 'mini', 6, 26, { speed_score: 125 }),
    ],
    [
      workload('jellyfin', 'desktop-1', 100, 200, 1000, jellyfin),
      workload('grafana', 'n100', 20, 50, 500),
      workload('mqtt', 'nas', 5, 10, 100),
    ],
  );

describe('planPlacement', () => {
  it('consolidates onto the efficient machine and switches the desktop off', async () => {
    const plan = await planPlacement(homelab());
    // Now: idle 20 + 40 + 6 = 66 W; jellyfin 100 × 0.2 = 20 W, grafana 20 × 0.04 = 0.8 W, mqtt 5 × 0.1 =
    // 0.5 W: 87.3 W. Best: everything on the n100 (CPU 1.6 + 0.4 + 0.1 = 2.1 of 3.2 cores), the nas on
    // because it must be: idle 26 W, jellyfin 4 W, grafana 0.8 W, mqtt 0.2 W = 31 W. (All on the nas
    // would be 20 + 10 + 2 + 0.5 = 32.5 W.)
    expect(plan).toMatchObject({ solver: 'milp', status: 'optimal' });
    expect(plan.assignment).toEqual({ jellyfin: 'n100', grafana: 'n100', mqtt: 'n100' });
    expect(plan.current_weekly_cost).toBeCloseTo(87.3 * EUR_PER_WATT_WEEK, 10);
    expect(plan.planned_weekly_cost).toBeCloseTo(31 * EUR_PER_WATT_WEEK, 10);
    expect(movesOf(plan)).toEqual([
      ['jellyfin', 'desktop-1', 'n100'],
      ['mqtt', 'nas', 'n100'],
    ]);
    // jellyfin 20 − 4 = 16 W; mqtt 0.5 − 0.2 = 0.3 W; the desktop's 40 W idle is the power-off's.
    expect(plan.moves[0]?.saving_per_week).toBeCloseTo(16 * EUR_PER_WATT_WEEK, 10);
    expect(plan.moves[0]?.saving_per_month).toBeCloseTo(16 * EUR_PER_WATT_WEEK * WEEKS_PER_MONTH, 10);
    expect(plan.moves[1]?.saving_per_week).toBeCloseTo(0.3 * EUR_PER_WATT_WEEK, 10);
    expect(plan.moves[0]?.reason).toBe(
      'jellyfin: n100 does the same work for 4.0 W instead of 20 W on desktop-1; desktop-1 can then be switched off',
    );
    expect(plan.power_off).toEqual([
      {
        machine: 'desktop-1',
        saving_per_week: expect.closeTo(40 * EUR_PER_WATT_WEEK, 10),
        reason: expect.stringContaining('40 W idle'),
      },
    ]);
    expect(savingsAddUp(plan)).toBeCloseTo(plan.current_weekly_cost - plan.planned_weekly_cost, 12);
    expect(netSavingsAddUp(plan)).toBeCloseTo(plan.current_weekly_cost - plan.planned_weekly_cost, 12);
    // Requests on the n100: jellyfin 200 / 125 = 1.6 cores, 1000 MiB × 1.1 = 1100 MiB.
    expect(plan.rightsizing[0]).toEqual({
      workload: 'jellyfin',
      machine: 'n100',
      cpu_request_cores: 1.6,
      memory_request_bytes: 1100 * MIB,
    });
  });

  it('keeps a pinned workload on its machine, and pins by tier too', async () => {
    for (const pin of ['desktop-1', 'desktop']) {
      const plan = await planPlacement(homelab({ pin }));
      // The desktop stays on for jellyfin (40 + 20 W). The n100 then costs 6 W idle + 0.8 + 0.2 for
      // grafana and mqtt; the nas, on anyway, runs them for 2 + 0.5 W: the n100 goes off.
      // Plan: 20 + 40 idle, jellyfin 20, grafana 2, mqtt 0.5 = 82.5 W.
      expect(plan.assignment).toEqual({ jellyfin: 'desktop-1', grafana: 'nas', mqtt: 'nas' });
      expect(plan.planned_weekly_cost).toBeCloseTo(82.5 * EUR_PER_WATT_WEEK, 10);
      // grafana costs 2 − 0.8 = 1.2 W more on the nas; switching the n100 off saves 6 W.
      expect(plan.moves).toEqual([
        expect.objectContaining({
          workload: 'grafana',
          saving_per_week: expect.closeTo(-1.2 * EUR_PER_WATT_WEEK, 10),
        }),
      ]);
      expect(plan.power_off.map((p) => [p.machine, p.saving_per_week])).toEqual([
        ['n100', expect.closeTo(6 * EUR_PER_WATT_WEEK, 10)],
      ]);
      expect(plan.notes).toContain(`jellyfin stays on desktop-1: it is pinned to ${pin}`);
      expect(savingsAddUp(plan)).toBeCloseTo(plan.current_weekly_cost - plan.planned_weekly_cost, 12);
      expect(netSavingsAddUp(plan)).toBeCloseTo(plan.current_weekly_cost - plan.planned_weekly_cost, 12);
      expect(netSavingsAddUp(plan)).toBeCloseTo(plan.current_weekly_cost - plan.planned_weekly_cost, 12);
    }
  });

  // pi: (6.4 − 2.7) / (4 × 40) = 0.023125 W per score-core; desktop-1: 0.2.
  const armAndX86 = (ciArches: string[]) =>
    scenario(
      [
        machine('desktop-1', 'desktop', 40, 120),
        machine('pi', 'pi', 2.7, 6.4, { arch: 'arm64', speed_score: 40, memory_bytes: 4 * GIB }),
      ],
      [
        workload('ci-runner', 'desktop-1', 20, 60, 1000, { arches: ciArches }),
        workload('home-assistant', 'desktop-1', 10, 30, 500),
        workload('mqtt', 'pi', 2, 4, 100),
      ],
    );

  it('never moves an x86-only image to a Pi', async () => {
    const anyArch = await planPlacement(armAndX86([]));
    // Free to choose, everything fits on the Pi (CPU 1.5 + 0.75 + 0.1 cores) and the desktop goes off.
    expect(anyArch.assignment).toEqual({ 'ci-runner': 'pi', 'home-assistant': 'pi', mqtt: 'pi' });

    const plan = await planPlacement(armAndX86(['amd64']));
    // ci-runner keeps the desktop on. Then home-assistant and mqtt on the Pi cost 2.7 W idle + 0.23125
    // + 0.04625 W = 2.9775 W; on the desktop 2 + 0.4 = 2.4 W: the Pi goes off instead.
    // Now: 40 + 4 + 2 + 2.7 + 0.04625 = 48.74625 W; plan: 40 + 4 + 2 + 0.4 = 46.4 W.
    expect(plan.assignment).toEqual({
      'ci-runner': 'desktop-1',
      'home-assistant': 'desktop-1',
      mqtt: 'desktop-1',
    });
    expect(plan.current_weekly_cost).toBeCloseTo(48.74625 * EUR_PER_WATT_WEEK, 10);
    expect(plan.planned_weekly_cost).toBeCloseTo(46.4 * EUR_PER_WATT_WEEK, 10);
    expect(plan.moves).toEqual([
      expect.objectContaining({
        workload: 'mqtt',
        from: 'pi',
        to: 'desktop-1',
        saving_per_week: expect.closeTo((0.04625 - 0.4) * EUR_PER_WATT_WEEK, 10),
      }),
    ]);
    expect(plan.moves[0]?.reason).toBe(
      'mqtt: desktop-1 has room for it (0.40 W there, 0.05 W on pi); pi can then be switched off',
    );
    expect(plan.power_off.map((p) => p.machine)).toEqual(['pi']);
    expect(plan.notes).toContain('ci-runner stays on desktop-1: its image runs on amd64 only');
  });

  // gpu-box: (360 − 60) / (16 × 200) = 0.09375 W per score-core; n100 0.04.
  const gpuLab = (needsGpu: boolean) =>
    scenario(
      [
        machine('gpu-box', 'gpu', 60, 360, {
          cpu_cores: 16,
          speed_score: 200,
          memory_bytes: 64 * GIB,
          gpus: [{ model: 'NVIDIA GeForce RTX 4080 SUPER', vram_bytes: 16 * GIB }],
        }),
        machine('n100', 'mini', 6, 26, { speed_score: 125 }),
      ],
      [
        workload('ollama', 'gpu-box', 16, 32, 4096, {
          needs_gpu: needsGpu,
          gpu: { vram_bytes: 8 * GIB, power_share: 0.3 },
          gpu_watts: [40, 60],
        }),
        workload('grafana', 'gpu-box', 20, 50, 500),
        workload('mqtt', 'n100', 2, 4, 100),
      ],
    );

  it('keeps a GPU workload on the GPU machine', async () => {
    const plan = await planPlacement(gpuLab(true));
    // ollama keeps the GPU box on: 60 W idle, 16 × 0.09375 = 1.5 W CPU and its measured 50 W of GPU.
    // grafana stays (1.875 W there against 6 W idle + 0.8 W to keep the n100 on for it), and mqtt
    // joins it (0.1875 W there against 0.08 W on the n100, which then goes off).
    // Now: 60 + 1.5 + 50 + 1.875 + 6 + 0.08 = 119.455 W; plan: 60 + 1.5 + 50 + 1.875 + 0.1875 = 113.5625 W.
    expect(plan.assignment).toEqual({ ollama: 'gpu-box', grafana: 'gpu-box', mqtt: 'gpu-box' });
    expect(plan.current_weekly_cost).toBeCloseTo(119.455 * EUR_PER_WATT_WEEK, 10);
    expect(plan.planned_weekly_cost).toBeCloseTo(113.5625 * EUR_PER_WATT_WEEK, 10);
    expect(plan.power_off.map((p) => [p.machine, p.saving_per_week])).toEqual([
      ['n100', expect.closeTo(6 * EUR_PER_WATT_WEEK, 10)],
    ]);
    expect(plan.notes).toContain('ollama stays on gpu-box: it needs a GPU');
    expect(savingsAddUp(plan)).toBeCloseTo(plan.current_weekly_cost - plan.planned_weekly_cost, 12);
    expect(netSavingsAddUp(plan)).toBeCloseTo(plan.current_weekly_cost - plan.planned_weekly_cost, 12);

    // Were the GPU optional, everything would go to the n100 and the GPU box off (6 + 0.64 + 0.8 + 0.08 W).
    const optional = await planPlacement(gpuLab(false));
    expect(optional.assignment.ollama).toBe('n100');
    expect(optional.planned_weekly_cost).toBeCloseTo(7.52 * EUR_PER_WATT_WEEK, 10);
  });

  it('moves a workload off a machine it overloads and says the current placement breaks a rule', async () => {
    const s = homelab();
    const mqtt = s.workloads[2];
    if (mqtt) mqtt.memory.max_bytes = 3800 * MIB; // 4180 MiB requested on the nas's 4096
    const plan = await planPlacement(s);
    expect(plan.notes).toContain(
      'the current placement breaks a rule: nas: memory requests 4.1 GiB, more than its 4.0 GiB',
    );
    expect(plan.assignment.mqtt).toBe('n100');
  });

  it('reports a workload no machine may take as infeasible, with the reasons', async () => {
    const s = homelab();
    const grafana = s.workloads[1];
    if (grafana) grafana.needs_gpu = true;
    const plan = await planPlacement(s);
    expect(plan).toMatchObject({ status: 'infeasible', moves: [], power_off: [] });
    expect(plan.planned_weekly_cost).toBe(plan.current_weekly_cost);
    expect(plan.notes).toContain('grafana may run on no machine: it needs a GPU');
  });

  it('reports a plan that cannot fit the capacities as infeasible', async () => {
    // All pinned to the n100: 350 / 125 = 2.8 cores for jellyfin + 0.4 + 0.1 is over its 3.2.
    const s = homelab();
    for (const w of s.workloads) w.pin = 'n100';
    const jellyfin = s.workloads[0];
    if (jellyfin) jellyfin.cpu.p95 = 350;
    const plan = await planPlacement(s);
    expect(plan).toMatchObject({ status: 'infeasible' });
    expect(plan.notes).toContain(
      "no placement fits every workload within the machines' CPU headroom, memory and VRAM",
    );
  });
});
