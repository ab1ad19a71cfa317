import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../../test/support/http-receiver.ts';
import type { RenderedReport } from '../rendered.ts';
import { type ReportDeliveryConfig, reportDeliveryConfigSchema } from './config.ts';
import { deliverReport } from './deliver.ts';
import { splitTopicUrl } from './ntfy.ts';

const report: RenderedReport = {
  title: 'tierwise weekly report — 2026-W13',
  week: '2026-W13',
  html: '<h1>tierwise weekly report</h1><p>Costs: £4.20</p>',
  markdown: `# tierwise weekly report\n\nCosts: £4.20\n\n${'| pi-1 | 1.00 |\n'.repeat(300)}`,
  json: '{"week":"2026-W13","total":4.2}',
};

let dir: string;
let receivers: HttpReceiver[];
let logLines: { msg: string; [k: string]: unknown }[];
const log = () => pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
const noWait = { sleep: async () => {} };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierwise-deliver-'));
  receivers = [];
  logLines = [];
});
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function receiver(answer?: (n: number) => number | 'hang'): Promise<HttpReceiver> {
  const r = await startHttpReceiver(answer);
  receivers.push(r);
  return r;
}

async function secret(name: string, value: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${value}\n`);
  return file;
}

function config(destinations: unknown[], extra: Record<string, unknown> = {}): ReportDeliveryConfig {
  return reportDeliveryConfigSchema.parse({
    out_dir: join(dir, 'reports'),
    retries: { attempts: 3, initial_delay_seconds: 0.001, max_delay_seconds: 0.01 },
    destinations,
    ...extra,
  });
}

describe('deliverReport', () => {
  it('writes the report to disk and sends each destination its form of it', async () => {
    const hook = await receiver();
    const ntfy = await receiver();
    const slack = await receiver();
    const gitea = await receiver();
    const c = config([
      {
        type: 'webhook',
        url: `${hook.url}/hooks/report`,
        bearer_token_file: await secret('bearer', 's3cret-bearer'),
      },
      { type: 'ntfy', url: `${ntfy.url}/ntfy/homelab`, token_file: await secret('ntfy', 'tk_ntfy') },
      { type: 'slack', url_file: await secret('slack', `${slack.url}/services/T0/B0/xyz`) },
      {
        type: 'gitea',
        url: `${gitea.url}/`,
        repo: 'me/homelab',
        token_file: await secret('gitea', 'gitea-token'),
        labels: [7],
      },
    ]);

    const outcomes = await deliverReport(report, c, { log: log(), ...noWait });

    expect(outcomes).toEqual([
      { destination: `file ${join(dir, 'reports')}`, ok: true, attempts: 1 },
      { destination: `webhook ${new URL(hook.url).host}`, ok: true, attempts: 1 },
      { destination: `ntfy ${new URL(ntfy.url).host}/ntfy/homelab`, ok: true, attempts: 1 },
      { destination: 'slack webhook', ok: true, attempts: 1 },
      { destination: `gitea ${new URL(gitea.url).host}/me/homelab`, ok: true, attempts: 1 },
    ]);
    const files = join(dir, 'reports');
    expect((await readdir(files)).sort()).toEqual(['2026-W13.html', '2026-W13.json', '2026-W13.md']);
    expect(await readFile(join(files, '2026-W13.html'), 'utf8')).toBe(report.html);
    expect(await readFile(join(files, '2026-W13.md'), 'utf8')).toBe(report.markdown);
    expect(await readFile(join(files, '2026-W13.json'), 'utf8')).toBe(report.json);

    const [h] = hook.received;
    expect(h).toMatchObject({ method: 'POST', url: '/hooks/report' });
    expect(h?.headers).toMatchObject({
      authorization: 'Bearer s3cret-bearer',
      'content-type': 'application/json',
    });
    expect(JSON.parse(h?.body ?? '')).toEqual({
      title: report.title,
      week: report.week,
      markdown: report.markdown,
      json: report.json,
    });

    // JSON publishing goes to the server root, the topic in the body.
    const [n] = ntfy.received;
    expect(n).toMatchObject({ method: 'POST', url: '/ntfy/' });
    expect(n?.headers.authorization).toBe('Bearer tk_ntfy');
    const nBody = JSON.parse(n?.body ?? '');
    expect(nBody).toMatchObject({ topic: 'homelab', title: report.title, markdown: true });
    expect(nBody.message.length).toBeLessThanOrEqual(3500);
    expect(nBody.message).toMatch(/^# tierwise weekly report\n\nCosts: £4\.20\n/);
    expect(nBody.message).toContain(`the full report is at ${join(files, '2026-W13.md')}`);

    const [s] = slack.received;
    expect(s).toMatchObject({ method: 'POST', url: '/services/T0/B0/xyz' });
    const text: string = JSON.parse(s?.body ?? '').text;
    expect(text.length).toBeLessThanOrEqual(1900);
    expect(text).toMatch(/^\*\*tierwise weekly report — 2026-W13\*\*\n\n# tierwise weekly report/);
    // Cut at a line break, so no table row is left half-written.
    expect(text).toMatch(/\| pi-1 \| 1\.00 \|\n\n… cut short; the full report is at /);

    const [g] = gitea.received;
    expect(g).toMatchObject({ method: 'POST', url: '/api/v1/repos/me/homelab/issues' });
    expect(g?.headers.authorization).toBe('token gitea-token');
    expect(JSON.parse(g?.body ?? '')).toEqual({ title: report.title, body: report.markdown, labels: [7] });

    expect(JSON.stringify(logLines)).not.toMatch(/s3cret-bearer|tk_ntfy|gitea-token|services\/T0/);
    expect(logLines.at(-1)?.msg).toBe(
      `weekly report 2026-W13 delivered; on disk at ${join(files, '2026-W13.html')} (and .md, .json)`,
    );
  });

  it('retries a receiver that fails twice and succeeds the third time', async () => {
    const flaky = await receiver((n) => (n <= 2 ? 500 : 200));
    const waits: number[] = [];
    const c = config([{ type: 'webhook', name: 'flaky', url: flaky.url }], {
      retries: { attempts: 3, initial_delay_seconds: 0.001, max_delay_seconds: 0.01, jitter: false },
    });
    const outcomes = await deliverReport(report, c, { log: log(), sleep: async (ms) => void waits.push(ms) });
    expect(outcomes[1]).toEqual({ destination: 'webhook flaky', ok: true, attempts: 3 });
    expect(flaky.received).toHaveLength(3);
    expect(waits).toEqual([1, 2]);
    expect(logLines.filter((l) => l.msg === 'weekly report delivery failed; retrying')).toHaveLength(2);
  });

  it('keeps the report on disk and still delivers elsewhere when a receiver always fails', async () => {
    const down = await receiver(() => 503);
    const up = await receiver();
    const c = config([
      { type: 'gitea', name: 'forge', url: down.url, repo: 'me/homelab', token_file: await secret('t', 'x') },
      { type: 'webhook', name: 'up', url: up.url },
    ]);
    const outcomes = await deliverReport(report, c, { log: log(), ...noWait });
    expect(outcomes.slice(1)).toEqual([
      {
        destination: 'gitea forge',
        ok: false,
        attempts: 3,
        error: 'gitea forge: HTTP 503 Service Unavailable: receiver says no',
      },
      { destination: 'webhook up', ok: true, attempts: 1 },
    ]);
    expect(down.received).toHaveLength(3);
    expect(up.received).toHaveLength(1);
    const reports = join(dir, 'reports');
    expect(await readFile(join(reports, '2026-W13.md'), 'utf8')).toBe(report.markdown);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: `weekly report not delivered to gitea forge; it stays on disk in ${reports}`,
        attempts: 3,
      }),
    );
    expect(logLines.at(-1)?.msg).toBe(
      `weekly report 2026-W13: 1 of 3 failed; on disk at ${join(reports, '2026-W13.html')} (and .md, .json)`,
    );
  });

  it('does not retry what another attempt cannot fix', async () => {
    const missing = await receiver(() => 404);
    const c = config([
      { type: 'webhook', name: 'gone', url: missing.url },
      { type: 'webhook', name: 'no-token', url: missing.url, bearer_token_file: join(dir, 'absent') },
    ]);
    const outcomes = await deliverReport(report, c, { log: log(), ...noWait });
    expect(outcomes.slice(1)).toEqual([
      {
        destination: 'webhook gone',
        ok: false,
        attempts: 1,
        error: 'webhook gone: HTTP 404 Not Found: receiver says no',
      },
      {
        destination: 'webhook no-token',
        ok: false,
        attempts: 1,
        error: `cannot read bearer token from ${join(dir, 'absent')}: ENOENT`,
      },
    ]);
    expect(missing.received).toHaveLength(1);
  });

  it('gives up on a receiver that never answers after the timeout', async () => {
    const hanging = await receiver(() => 'hang');
    const c = config([{ type: 'ntfy', name: 'slow', url: `${hanging.url}/homelab` }], {
      timeout_seconds: 0.2,
      retries: { attempts: 2, initial_delay_seconds: 0 },
    });
    const started = Date.now();
    const outcomes = await deliverReport(report, c, { log: log(), ...noWait });
    expect(outcomes[1]).toEqual({
      destination: 'ntfy slow',
      ok: false,
      attempts: 2,
      error: 'ntfy slow: no answer within 0.2s (timed out)',
    });
    expect(hanging.received).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('sends even when the report cannot be written, and says it is not on disk', async () => {
    const up = await receiver();
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, '');
    const c = config([{ type: 'webhook', name: 'up', url: up.url }], { out_dir: join(blocker, 'reports') });
    const outcomes = await deliverReport(report, c, { log: log(), ...noWait });
    expect(outcomes[0]).toMatchObject({ ok: false, error: expect.stringMatching(/ENOTDIR|EEXIST/) });
    expect(outcomes[1]).toEqual({ destination: 'webhook up', ok: true, attempts: 1 });
    expect(logLines.at(-1)?.msg).toBe('weekly report 2026-W13: 1 of 2 failed; NOT on disk');
  });
});

describe('splitTopicUrl', () => {
  it('splits a topic URL into the server root and the topic', () => {
    expect(splitTopicUrl('https://ntfy.sh/homelab')).toEqual({ root: 'https://ntfy.sh/', topic: 'homelab' });
    expect(splitTopicUrl('https://h.lan/ntfy/homelab/?x=1')).toEqual({
      root: 'https://h.lan/ntfy/',
      topic: 'homelab',
    });
  });
});
