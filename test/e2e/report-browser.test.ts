import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Advice } from '../../collector/advisor/advice.ts';
import { money } from '../../collector/report/format.ts';
import type { WeeklyReport } from '../../collector/report/model.ts';
import { lastCompleteWeek } from '../../collector/report/week.ts';
import { backfillHistory, MACHINE_FACTS, TARIFF } from '../support/advise-history.ts';
import { type RunningCollector, startCollectorProcess } from '../support/agent-process.ts';
import { expectTidyPage, launchChromium, screenshots, watchPage } from '../support/browser.ts';
import { waitFor } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

// Two weeks of the four-machine homelab (test/support/advise-history.ts) up to now in Debian's
// Prometheus, and the bundled collector over it: its catch-up run writes the last complete week's
// report, its front page shows this week so far. Both are opened in Debian's headless Chromium.

let prometheus: TestPrometheus;
let collector: RunningCollector;
let browser: Browser;
let dir: string;
let base: string;
const reports = () => path.join(dir, 'reports');
const week = lastCompleteWeek(Date.now() / 1000, TARIFF.timezone);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-browser-e2e-'));
  const end = Math.floor(Date.now() / 1000) - 60;
  [prometheus, browser] = await Promise.all([
    startPrometheus([], '15s', (dataDir) => backfillHistory(dataDir, { end, days: 14.1 })),
    launchChromium(),
  ]);
  const config = path.join(dir, 'tierwise.yml');
  await writeFile(
    config,
    stringify({ tariff: TARIFF, machines: MACHINE_FACTS, report: { out_dir: reports() } }),
  );
  collector = await startCollectorProcess(config, prometheus.url);
  base = collector.base;
  const reportJson = path.join(reports(), `${week.label}.json`);
  await waitFor(
    'the catch-up report, the plan and this week so far',
    async () => {
      if (!existsSync(reportJson)) return undefined;
      const page = await fetch(`${base}/`).then((r) => r.text());
      const planned = (await fetch(`${base}/api/placement`)).ok;
      return planned && page.includes('Power now') ? true : undefined;
    },
    90_000,
    250,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${collector?.output()}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
  await prometheus?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const text = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

describe('the weekly report and the collector page in Chromium', () => {
  it('opens the report file from disk with nothing fetched and no errors, every key figure in place', async () => {
    const file = path.join(reports(), `${week.label}.html`);
    const report = JSON.parse(
      readFileSync(path.join(reports(), `${week.label}.json`), 'utf8'),
    ) as WeeklyReport;
    const fileUrl = pathToFileURL(file).href;
    const page = await browser.newPage();
    const watch = await watchPage(page, (url) => url === fileUrl);
    await page.goto(fileUrl);

    expect(text(await page.textContent('h1'))).toBe(`tierwise weekly report ${week.label}`);
    const totals = await page.$$eval('h2:text("Totals") + div table tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    const totalRow = totals.find((r) => r[0] === 'total cost');
    expect(totalRow?.[1]).toBe(money(report.totals.total_cost.value, report.currency));
    const machines = await page.$$eval('h2:text("Machines") ~ div table tbody tr td:first-child', (tds) =>
      tds.map((td) => td.textContent),
    );
    for (const m of report.machines) expect(machines).toContain(m.name);
    const moves = await page.$$eval('h2:text-matches("moves") + div table tbody tr td:first-child', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(moves).toEqual(report.plan.moves.map((m) => m.workload));
    expect(report.plan.power_off.map((p) => p.machine)).toEqual(['old-desktop']);
    expect(text(await page.textContent('h3:text("switched off") + div'))).toContain('old-desktop');
    expect(await page.locator('figure svg[role="img"]').count()).toBe(2);

    await expectTidyPage(page, watch, 'weekly-report');
  });

  it('shows this week so far at /, with the collector’s current plan', async () => {
    const advice = (await (await fetch(`${base}/api/placement`)).json()) as Pick<Advice, 'placement'>;
    const page = await browser.newPage();
    const watch = await watchPage(page, (url) => url.startsWith(base));
    await page.goto(`${base}/`);

    expect(text(await page.textContent('h1'))).toBe('This week so far');
    const cards = Object.fromEntries(
      await page.$$eval('.card', (cs) =>
        cs.map((c) => [c.querySelector('.k')?.textContent, c.querySelector('.v')?.textContent]),
      ),
    );
    expect(cards['Power now']).toMatch(/^\d+ W$/);
    // The four machines draw between 20 W and 400 W in the history.
    expect(Number.parseInt(cards['Power now'] ?? '', 10)).toBeGreaterThan(20);
    expect(cards['Energy cost now']).toMatch(/^\d+\.\d\d GBP\/h$/);
    expect(cards['Cost this week so far']).toMatch(/^\d+\.\d\d GBP$/);
    const tiers = await page.$$eval('h1 ~ div table tbody tr td:first-child', (tds) =>
      tds.map((td) => td.textContent),
    );
    for (const tier of ['workstation', 'legacy-desktop', 'mini-pc', 'pi']) expect(tiers).toContain(tier);
    const moves = await page.$$eval('h2:text-matches("moves") + div table tbody tr td:first-child', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(moves).toEqual(advice.placement.moves.map((m) => m.workload));
    expect(await page.locator('figure svg[role="img"]').count()).toBe(1);

    await expectTidyPage(page, watch, 'collector-this-week');
  });

  it('lists the stored reports at /reports and opens the latest from there', async () => {
    const page = await browser.newPage();
    const watch = await watchPage(page, (url) => url.startsWith(base));
    await page.goto(`${base}/reports`);
    const firstRow = await page.$$eval('table tbody tr:first-child td', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(firstRow[0]).toBe(week.label);
    expect((await screenshots(page, 'collector-reports')).phoneOverflowPx).toBeLessThanOrEqual(0);
    await page.click(`a:text("The latest: ${week.label}")`);
    await page.waitForURL(`${base}/reports/${week.label}.html`);
    expect(text(await page.textContent('h1'))).toBe(`tierwise weekly report ${week.label}`);
    await expectTidyPage(page, watch, 'collector-latest-report');
  });
});
