import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.ts';
import { tariffSchema } from '../../cost/scenario.ts';
import { exampleAdvice } from '../../test/support/advice.ts';
import { parseExposition } from '../../test/support/exposition.ts';
import type { Advice } from './advice.ts';
import { buildAdvisorService } from './service.ts';

const tariff = tariffSchema.parse({ currency: 'GBP', price_per_kwh: 0.27 });

function service(compute: () => Promise<Advice>, users?: Map<string, string>) {
  return buildAdvisorService({
    webConfig: { headers: {}, ...(users && { users }) },
    log: silentLogger,
    tariff,
    compute,
    refreshSeconds: 3600,
    now: () => Date.parse('2026-03-03T00:10:00Z'),
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
    const s = service(exampleAdvice, new Map([['grafana', bcrypt.hashSync('secret', 4)]]));
    expect((await s.app.inject({ url: '/api/costs' })).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const auth = `Basic ${Buffer.from('grafana:secret').toString('base64')}`;
    expect((await s.app.inject({ url: '/metrics', headers: { authorization: auth } })).statusCode).toBe(200);
  });
});
