import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amtool } from '../test/support/alertmanager.ts';
import { alertingConfigSchema } from './config-schema.ts';
import { writeAlertmanagerFiles } from './generate.ts';
import { TEMPLATE_NAMES } from './notification-template.ts';

/** What Alertmanager hands a template: one group, a machine down and another back. */
const data = {
  receiver: 'phone',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: {
        alertname: 'TierwiseTargetDown',
        instance: 'pi4-a',
        job: 'tierwise',
        severity: 'critical',
        tier: 'pi-cluster',
      },
      annotations: {
        summary: 'pi4-a (tierwise) is down',
        description: 'Prometheus has not been able to scrape <tierwise> on pi4-a for 5 minutes.',
        runbook_url: 'https://example.org/runbooks.md#tierwisetargetdown',
      },
      startsAt: '2026-01-02T03:04:05Z',
      endsAt: '0001-01-01T00:00:00Z',
    },
    {
      status: 'resolved',
      labels: {
        alertname: 'TierwiseTargetDown',
        instance: 'nas',
        job: 'tierwise',
        severity: 'critical',
      },
      annotations: { summary: 'nas (tierwise) is down' },
      startsAt: '2026-01-02T03:04:05Z',
      endsAt: '2026-01-02T04:10:00Z',
    },
  ],
  groupLabels: { alertname: 'TierwiseTargetDown' },
  commonLabels: { alertname: 'TierwiseTargetDown', job: 'tierwise', severity: 'critical' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
};

let tmp: string;
let glob: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tierwise-am-tmpl-'));
  const { templateFiles } = await writeAlertmanagerFiles(tmp, alertingConfigSchema.parse({}));
  glob = templateFiles[0] ?? '';
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Renders one of our templates with Alertmanager's own template engine (amtool template render). */
async function render(name: string, d: object = data, type: 'text' | 'html' = 'text'): Promise<string> {
  const dataFile = path.join(tmp, `data-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(dataFile, JSON.stringify(d));
  const r = await amtool([
    'template',
    'render',
    `--template.glob=${glob}`,
    `--template.data=${dataFile}`,
    `--template.type=${type}`,
    `--template.text={{ template "${name}" . }}`,
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('notification templates', () => {
  it('titles a notification with its status, count, alert and the machines that fire', async () => {
    expect(await render(TEMPLATE_NAMES.emailSubject)).toBe('[FIRING:1] TierwiseTargetDown: pi4-a');
    expect(await render(TEMPLATE_NAMES.slackTitle)).toBe('[FIRING:1] TierwiseTargetDown: pi4-a');
    const resolved = {
      ...data,
      status: 'resolved',
      alerts: data.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2026-01-02T04:10:00Z' })),
    };
    expect(await render(TEMPLATE_NAMES.slackTitle, resolved)).toBe(
      '[RESOLVED] TierwiseTargetDown: pi4-a, nas',
    );
  });

  it('lists firing and resolved alerts in plain text with machine, tier, times and runbook', async () => {
    const text = await render(TEMPLATE_NAMES.emailText);
    expect(text).toBe(
      [
        'Firing:',
        '',
        'pi4-a (tierwise) is down',
        'Prometheus has not been able to scrape <tierwise> on pi4-a for 5 minutes.',
        'severity critical · instance pi4-a · tier pi-cluster · since 2026-01-02 03:04 UTC',
        'Runbook: https://example.org/runbooks.md#tierwisetargetdown',
        '',
        'Resolved:',
        '',
        'nas (tierwise) is down',
        'severity critical · instance nas · since 2026-01-02 03:04 UTC · resolved 2026-01-02 04:10 UTC',
        '',
        'Alertmanager: http://alertmanager:9093',
        '',
      ].join('\n'),
    );
    expect(await render(TEMPLATE_NAMES.slackText)).toBe(text.replace(/\nAlertmanager: .*\n$/, ''));
  });

  it('escapes label and annotation text in the HTML mail', async () => {
    const html = await render(TEMPLATE_NAMES.emailHtml, data, 'html');
    expect(html).toContain('<h2 style="color: #b3261e">[FIRING:1] TierwiseTargetDown: pi4-a</h2>');
    expect(html).toContain('scrape &lt;tierwise&gt; on pi4-a');
    expect(html).toContain('<a href="https://example.org/runbooks.md#tierwisetargetdown">Runbook</a>');
    expect(html).toContain('<h3>Resolved</h3>');
  });
});
