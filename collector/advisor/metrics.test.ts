import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WEEKS_PER_MONTH } from '../../cost/model.ts';
import { tariffSchema } from '../../cost/scenario.ts';
import { formatFamilies } from '../../exporters/agent/exposition.ts';
import { exampleAdvice } from '../../test/support/advice.ts';
import { parseExposition } from '../../test/support/exposition.ts';
import { advisorFamilies } from './metrics.ts';

const tariff = tariffSchema.parse({
  currency: 'GBP',
  timezone: 'Europe/London',
  price_per_kwh: 0.27,
  bands: [{ from: '00:00', to: '07:00', price_per_kwh: 0.085 }],
});
/** 03:00 and 12:00 in London (GMT in March, BST in July). */
const night = Date.parse('2026-03-02T03:00:00Z') / 1000;
const noon = Date.parse('2026-07-02T11:00:00Z') / 1000;
const summerNight = Date.parse('2026-07-02T05:30:00Z') / 1000; // 06:30 BST, still the night band

const samples = (text: string, name: string) => parseExposition(text).filter((s) => s.name === name);

describe("the collector's /metrics", () => {
  it('exports the price now from the tariff alone, before any run', () => {
    for (const [t, price] of [
      [night, 0.085],
      [noon, 0.27],
      [summerNight, 0.085],
    ] as const) {
      const text = formatFamilies(advisorFamilies(tariff, {}, t));
      expect(samples(text, 'tierwise_tariff_price_per_kwh')).toEqual([
        { name: 'tierwise_tariff_price_per_kwh', labels: { currency: 'GBP' }, value: price },
      ]);
      expect(samples(text, 'tierwise_advisor_last_run_success')[0]?.value).toBe(0);
      expect(samples(text, 'tierwise_cost_node_per_hour')).toEqual([]);
    }
  });

  it('exports costs per hour, savings per move and per switch-off, and how sure it is', async () => {
    const advice = await exampleAdvice();
    const text = formatFamilies(
      advisorFamilies(
        tariff,
        { value: advice, lastRun: { success: true, at: 1000, durationSeconds: 1.5 }, lastSuccessAt: 1000 },
        noon,
      ),
    );
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(samples(text, 'tierwise_advisor_confidence')[0]?.value).toBe(1);
    expect(samples(text, 'tierwise_advisor_last_run_success_timestamp_seconds')[0]?.value).toBe(1000);
    // A day of 0.23 GBP on the old desktop: about a penny an hour.
    const desktop = samples(text, 'tierwise_cost_node_per_hour').find(
      (s) => s.labels.instance === 'old-desktop',
    );
    const machine = advice.costs.machines.find((m) => m.name === 'old-desktop');
    expect(desktop?.value).toBeCloseTo((machine?.energy_cost ?? 0) / 24, 9);
    expect(desktop?.labels.currency).toBe('GBP');
    expect(
      samples(text, 'tierwise_cost_workload_per_hour')
        .map((s) => s.labels.workload)
        .sort(),
    ).toEqual(advice.costs.workloads.map((w) => w.name).sort());
    expect(samples(text, 'tierwise_placement_move_saving_per_month')).toEqual(
      advice.placement.moves.map((m) => ({
        name: 'tierwise_placement_move_saving_per_month',
        labels: { workload: m.workload, from: m.from, to: m.to, currency: 'GBP' },
        value: m.net_saving_per_month,
      })),
    );
    const off = advice.placement.power_off[0];
    expect(samples(text, 'tierwise_placement_power_off_saving_per_month')[0]).toMatchObject({
      labels: { instance: off?.machine },
    });
    expect(samples(text, 'tierwise_placement_power_off_saving_per_month')[0]?.value).toBeCloseTo(
      (off?.saving_per_week ?? 0) * WEEKS_PER_MONTH,
      9,
    );
  });
});
