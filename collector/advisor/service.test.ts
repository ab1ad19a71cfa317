import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.ts';
import { tariffSchema } from '../../cost/scenario.ts';
import { exampleAdvice } from '../../test/support/advice.ts';
import { parseExposition } from '../../test/support/exposition.ts';
import { tempDir } from '../../test/support/fixtures.ts';
import { storeReport } from '../report/deliver/store.ts';
import { escapeHtml } from '../report/escape.ts';
import { money } from '../report/format.ts';
import { buildWeeklyReport } from '../report/model.ts';
import { renderReport } from '../report/render.ts';
import { sampleCosts, sampleInput, samplePower } from '../report/sample.ts';
import { parseWeek, weekContaining } from '../report/week.ts';
import { buildLiveView, type LiveView } from '../web/live.ts';
import { reportsArchive } from '../web/reports-archive.ts';
import type { Advice } from './advice.ts';
import { buildAdvisorService } from './service.ts';

const tariff = tariffSchema.parse({ currency: 'GBP', price_per_kwh: 0.27 });

const NOW = Date.parse('2026-03-31T18:00:00Z');
const week = weekContaining(NOW / 1000, 'Europe/Berlin');

/** The week so far, two days in, from the report's hand-made figures. */
const liveView = () =>
  buildLiveView({
    week,
    until: week.start + 48 * 3600,
    costs: sampleCosts(week),
    power: samplePower({ ...week, hours: 48 }),
    tariff,
  });

function service(
  compute: () => Promise<Advice>,
  opts: { users?: Map<string, string>; reportsDir?: string; live?: () => Promise<LiveView> } = {},
) {
  return buildAdvisorService({
    webConfig: { headers: {}, ...(opts.users && { users: opts.users }) },
    log: silentLogger,
    tariff,
    compute,
    refreshSeconds: 3600,
    live: { compute: opts.live ?? (async () => liveView()), refreshSeconds: 300 },
    reports: reportsArchive(opts.reportsDir ?? '/nonexistent/tierwise-reports'),
    timezone: 'Europe/Berlin',
    now: () => NOW,
  });
}

describe('the collector service', () => {
  it('answers 503 until the first run, then the cached answer with when and how sure', async () => {
    const advice = await exampleAdvice();
    let runs = 0;
    const s = service(async () => {
      runs++;
      return advice;
    });
    const before = await s.app.inject({ url: '/api/placement' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({ error: 'the first run has not finished yet' });
    // The price needs no run.
    const price = parseExposition((await s.app.inject({ url: '/metrics' })).body).find(
      (x) => x.name === 'tierwise_tariff_price_per_kwh',
    );
    expect(price).toMatchObject({ labels: { currency: 'GBP' }, value: 0.27 });

    // Two refreshes at once are one run.
    await Promise.all([s.refresh(), s.refresh()]);
    expect(runs).toBe(1);
    const placement = await s.app.inject({ url: '/api/placement' });
    expect(placement.statusCode).toBe(200);
    expect(placement.json()).toMatchObject({
      computed_at: advice.computed_at,
      confidence: 'ok',
      stale: false,
      placement: { moves: advice.placement.moves },
    });
    expect((await s.app.inject({ url: '/api/costs' })).json().costs.machines).toHaveLength(3);
    expect((await s.app.inject({ url: '/healthz' })).body).toBe('ok\n');
  });

  it('keeps serving the last answer when a run fails, and says so', async () => {
    const advice = await exampleAdvice();
    let fail = false;
    const s = service(async () => {
      if (fail) throw new Error('cannot reach Prometheus at http://prom:9090: ECONNREFUSED');
      return advice;
    });
    await s.refresh();
    fail = true;
    await s.refresh();
    expect((await s.app.inject({ url: '/api/costs' })).json()).toMatchObject({
      stale: true,
      last_error: 'cannot reach Prometheus at http://prom:9090: ECONNREFUSED',
    });
    const metrics = parseExposition((await s.app.inject({ url: '/metrics' })).body);
    const value = (name: string) => metrics.find((m) => m.name === name)?.value;
    expect(value('tierwise_advisor_last_run_success')).toBe(0);
    expect(value('tierwise_advisor_confidence')).toBe(1);
    expect(metrics.some((m) => m.name === 'tierwise_cost_node_per_hour')).toBe(true);
  });

  it('asks for basic auth on every route when web-config.yml has users', async () => {
    const s = service(exampleAdvice, { users: new Map([['grafana', bcrypt.hashSync('secret', 4)]]) });
    expect((await s.app.inject({ url: '/api/costs' })).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/' })).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/reports' })).statusCode).toBe(401);
    const auth = `Basic ${Buffer.from('grafana:secret').toString('base64')}`;
    expect((await s.app.inject({ url: '/metrics', headers: { authorization: auth } })).statusCode).toBe(200);
  });

  it('shows this week so far and the current plan at /, and says what is still missing', async () => {
    const advice = await exampleAdvice();
    const s = service(async () => advice);
    const before = await s.app.inject({ url: '/' });
    expect(before.headers['content-type']).toMatch(/^text\/html/);
    expect(before.body).toContain('The first figures for this week are still being computed');
    await s.refresh();
    const page = (await s.app.inject({ url: '/' })).body;
    const v = liveView();
    expect(page).toContain(`${v.week.label} from Mon 30 Mar 2026 00:00`);
    expect(page).toContain('40 W');
    expect(page).toContain(money(v.projectedWeekCost, v.currency));
    for (const m of advice.placement.moves) expect(page).toContain(escapeHtml(m.workload));
    for (const p of advice.placement.power_off) expect(page).toContain(escapeHtml(p.machine));
  });

  it('keeps the week so far up when its refresh fails, and says since when', async () => {
    let fail = false;
    const s = service(exampleAdvice, {
      live: async () => {
        if (fail) throw new Error('Prometheus http://prom:9090: ECONNREFUSED');
        return liveView();
      },
    });
    await s.refresh();
    fail = true;
    await s.live.refresh();
    const page = (await s.app.inject({ url: '/' })).body;
    expect(page).toContain('40 W');
    expect(page).toContain('the latest refresh failed (Prometheus http://prom:9090: ECONNREFUSED)');
  });

  it('serves the stored weekly reports: an index, the latest, each file, and nothing else', async () => {
    const dir = await tempDir('collector-reports');
    const older = renderReport(buildWeeklyReport(sampleInput()));
    const newer = renderReport(
      buildWeeklyReport({ ...sampleInput(), week: parseWeek('2026-W14', 'Europe/Berlin') }),
    );
    await storeReport(older, dir);
    await storeReport(newer, dir);
    await writeFile(path.join(dir, '2026-W14.json.tmp-1-abcd'), 'half a file');
    await writeFile(path.join(dir, 'notes.txt'), 'not a report');
    const s = service(exampleAdvice, { reportsDir: dir });

    const index = await s.app.inject({ url: '/reports' });
    expect(index.statusCode).toBe(200);
    const rows = [...index.body.matchAll(/<tr><td>(2026-W\d+)<\/td><td class="n">([^<]+)<\/td>/g)];
    expect(rows.map((r) => [r[1], r[2]])).toEqual([
      ['2026-W14', money(sampleCosts().totals.total_cost, 'EUR')],
      ['2026-W13', money(sampleCosts().totals.total_cost, 'EUR')],
    ]);
    expect(index.body).not.toContain('tmp-1');
    expect(index.body).not.toContain('notes.txt');

    const latest = await s.app.inject({ url: '/reports/latest' });
    expect(latest.statusCode).toBe(302);
    expect(latest.headers.location).toBe('/reports/2026-W14.html');
    const html = await s.app.inject({ url: '/reports/2026-W14.html' });
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toBe(newer.html);
    const md = await s.app.inject({ url: '/reports/2026-W13.md' });
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.body).toBe(older.markdown);
    expect((await s.app.inject({ url: '/reports/2026-W13.json' })).json()).toEqual(JSON.parse(older.json));

    for (const url of [
      '/reports/notes.txt',
      '/reports/2026-W14.json.tmp-1-abcd',
      '/reports/..%2Fcollector-reports%2F2026-W14.html',
      '/reports/%2E%2E%2Fetc%2Fpasswd',
      '/reports/2026-W15.html',
    ])
      expect((await s.app.inject({ url })).statusCode, url).toBe(404);
  });

  it('says there is no report yet rather than failing when the directory is not there', async () => {
    const s = service(exampleAdvice);
    const index = await s.app.inject({ url: '/reports' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('No weekly report yet');
    expect((await s.app.inject({ url: '/reports/latest' })).statusCode).toBe(404);
  });
});
