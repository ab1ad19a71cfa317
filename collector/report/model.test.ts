import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWeeklyReport, weeklyReportSchema } from './model.ts';
import { SAMPLE_WEEK, sampleInput } from './sample.ts';
import { reportSchemaFile } from './schema-file.ts';

describe('buildWeeklyReport', () => {
  const report = buildWeeklyReport(sampleInput());

  it('states the week, its 167 hours and the week it is compared with', () => {
    expect(report.week).toEqual({
      label: '2026-W13',
      timezone: 'Europe/Berlin',
      start: SAMPLE_WEEK.start,
      end: SAMPLE_WEEK.end,
      hours: 167,
      hours_note: '2026-W13 has 167 hours in Europe/Berlin: the clocks went forward that week',
    });
    expect(report.previous_week).toMatchObject({ label: '2026-W12', hours: 168, available: true });
    expect(report.title).toBe('tierwise weekly report 2026-W13');
  });

  it('gives each total beside last week’s, with the exact change', () => {
    const { totals } = report;
    expect(totals.energy_kwh).toEqual({ value: 8, previous: 10, change: -2, change_ratio: -0.2 });
    expect(totals.energy_cost.value).toBeCloseTo(2.24, 12);
    expect(totals.energy_cost.previous).toBeCloseTo(2.8, 12);
    expect(totals.energy_cost.change).toBeCloseTo(-0.56, 12);
    expect(totals.energy_cost.change_ratio).toBeCloseTo(-0.2, 12);
    expect(totals.total_cost.change).toBeCloseTo(-0.56, 12);
    expect(totals.total_cost.change_ratio).toBeCloseTo(-0.56 / 6.8, 12);
    expect(totals.carbon_kg).toEqual({ value: 2, previous: 2.5, change: -0.5, change_ratio: -0.2 });
    expect([totals.standing_charge, totals.amortisation]).toEqual([3.5, 0.5]);
  });

  it('leaves every change null, not zero, when last week has no data', () => {
    const r = buildWeeklyReport({ ...sampleInput(), previous: undefined });
    expect(r.totals.energy_kwh).toEqual({ value: 8, previous: null, change: null, change_ratio: null });
    expect(r.previous_week.available).toBe(false);
    expect(r.machines.every((m) => m.previous_total_cost === null)).toBe(true);
    expect(r.tiers.every((t) => t.previous_total_cost === null)).toBe(true);
  });

  it('costs by tier and by machine, dearest first, with the verdict and its reason', () => {
    expect(report.tiers.map((t) => [t.tier, t.machines, t.energy_kwh])).toEqual([
      ['legacy-desktop', ['old-desktop'], 7.5],
      ['pi', ['pi4'], 0.5],
    ]);
    expect(report.tiers[0]?.share_of_cost).toBeCloseTo(2.6 / 2.74, 12);
    expect(report.tiers[0]?.previous_total_cost).toBeCloseTo(2.1 * 1.25 + 0.5, 12);
    expect(report.machines.map((m) => [m.name, m.verdict])).toEqual([
      ['old-desktop', 'mostly-idle-consolidate'],
      ['pi4', 'earns-its-place'],
    ]);
    expect(report.machines[0]?.reason).toMatch(/^Mostly idle/);
    expect(report.top_workloads.map((w) => w.name)).toEqual(['net/unifi|controller', 'dns/pihole']);
    expect(report.workload_count).toBe(2);
  });

  it('carries the plan’s moves with their net savings, the switch-offs and the alerts', () => {
    expect(report.plan.moves).toEqual([
      {
        workload: 'net/unifi|controller',
        from: 'old-desktop',
        to: 'pi4',
        saving_per_week: 2.14,
        saving_per_month: 9.3,
        reason: 'fits on pi4 with room to spare',
      },
    ]);
    expect(report.plan.power_off.map((p) => p.machine)).toEqual(['old-desktop']);
    expect(report.plan.saving_per_week).toBeCloseTo(2.14, 12);
    expect(report.alerts).toEqual([expect.objectContaining({ alertname: 'NodeDown', firing_seconds: 3600 })]);
  });

  it('averages power per tier per hour, the Pi’s missing first hour as no data', () => {
    expect(report.power.step_seconds).toBe(3600);
    const [desk, pi] = report.power.tiers;
    expect(desk?.tier).toBe('legacy-desktop');
    expect(desk?.watts).toHaveLength(167);
    expect(new Set(desk?.watts)).toEqual(new Set([40]));
    expect(pi?.watts[0]).toBeNull();
    expect(pi?.watts.slice(1).every((w) => w === 3)).toBe(true);
  });

  it('lists what the figures rest on that was missing', () => {
    expect(report.coverage.missing).toEqual([
      'gpu-box left out: no tierwise_node_cpu_cores in the window',
      `pi4: power data for 99.4 % of the week; 1 gap(s), the longest 1.0 h from ${new Date(SAMPLE_WEEK.start * 1000).toISOString()}`,
    ]);
    expect(report.warnings[0]).toBe('gpu-box left out: no tierwise_node_cpu_cores in the window');
    expect(report.confidence).toBe('ok');
  });

  it('is what its published schema says', () => {
    expect(weeklyReportSchema.parse(report)).toEqual(report);
    expect(weeklyReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });
});

describe('report.schema.json', () => {
  it('is as npm run generate writes it (run it after changing model.ts)', () => {
    const f = reportSchemaFile();
    expect(readFileSync(f.path, 'utf8'), `${f.path} is stale`).toBe(f.text);
  });
});
