import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { writeAlertmanagerFiles } from '../../alertmanager/generate.ts';
import { parseConfig } from '../../common/config.ts';
import { writeRuleFiles } from '../../rules/index.ts';
import { type RunningAgent, startAgentProcess } from '../support/agent-process.ts';
import { startAlertmanager, type TestAlertmanager } from '../support/alertmanager.ts';
import { type HttpReceiver, type ReceivedRequest, startHttpReceiver } from '../support/http-receiver.ts';
import { freePort, waitFor } from '../support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

/** From "the machine stopped" to "the receiver has it": scrape 1s + for 1s + evaluation + group_wait 1s, with room. */
const DELIVERY_BOUND_MS = 20_000;
const SCHEDULE = 'switched-off-now';
/** Not UTC, with a half-hour offset: a mute window read in the wrong zone would miss "now". */
const TIMEZONE = 'Asia/Kolkata';

interface WebhookPayload {
  version: string;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];
}

interface SlackPayload {
  attachments: { title: string; text: string; color: string }[];
}

/** HH:MM in `timeZone`, `offsetMinutes` from now. */
function localTime(offsetMinutes: number, timeZone: string): string {
  const t = new Date(Date.now() + offsetMinutes * 60_000);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(t)
    .reduce<Record<string, string>>((acc, p) => Object.assign(acc, { [p.type]: p.value }), {});
  return `${parts.hour}:${parts.minute}`;
}

const json = <T>(r: ReceivedRequest) => JSON.parse(r.body) as T;

interface Mail {
  /** Headers and body as sent, quoted-printable parts decoded. */
  text: string;
  at: number;
}

/**
 * The far end of an email receiver: just enough SMTP (no TLS, no auth) for Alertmanager to hand over a
 * message. Only used here; move it to test/support if another test needs mail.
 */
async function startSmtpReceiver(): Promise<{ address: string; mails: Mail[]; stop: () => Promise<void> }> {
  const mails: Mail[] = [];
  const sockets = new Set<Socket>();
  const decodeQuotedPrintable = (text: string) =>
    Buffer.from(
      text
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const reply = (line: string) => socket.write(`${line}\r\n`);
    let buffer = '';
    let inData = false;
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mails.push({
            text: decodeQuotedPrintable(buffer.slice(0, end).replace(/^\.\./gm, '.')),
            at: Date.now(),
          });
          buffer = buffer.slice(end + 5);
          inData = false;
          reply('250 OK');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const verb = buffer.slice(0, 4).toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (verb === 'EHLO') reply('250 tierwise-test');
        else if (verb === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 OK');
      }
    });
    reply('220 tierwise-test ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    mails,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The whole alerting path with real parts: the bundled agent, Prometheus loading tierwise's generated
 * rules (with `for:` shortened), Alertmanager with tierwise's generated config, and the far ends of a
 * webhook, an ntfy topic, a Slack/Discord webhook and an SMTP server as loopback servers.
 */
describe('alerts reach their receivers', () => {
  let dir: string;
  let hook: HttpReceiver;
  let ntfy: HttpReceiver;
  let slack: HttpReceiver;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let am: TestAlertmanager;
  let prom: TestPrometheus;
  let agent: RunningAgent | undefined;
  let agentAddress: string;
  /** Machines that never answer: one off on a schedule whose window is now, one that may sleep. */
  let scheduledOff: string;
  let asleep: string;
  const timings: Record<string, number> = {};

  const startAgent = () => {
    const url = `http://${agentAddress}/healthz`;
    // The later --web.listen-address wins, so a restarted agent comes back where Prometheus looks.
    return startAgentProcess([`--web.listen-address=${agentAddress}`], async () => (await fetch(url)).ok);
  };

  beforeAll(async () => {
    const started = Date.now();
    dir = await mkdtemp(path.join(os.tmpdir(), 'tierwise-alerts-'));
    [hook, ntfy, slack] = await Promise.all([startHttpReceiver(), startHttpReceiver(), startHttpReceiver()]);
    smtp = await startSmtpReceiver();
    agentAddress = `127.0.0.1:${await freePort()}`;
    scheduledOff = `127.0.0.1:${await freePort()}`;
    asleep = `127.0.0.1:${await freePort()}`;

    const secret = async (name: string, value: string) => {
      const file = path.join(dir, name);
      await writeFile(file, value, { mode: 0o600 });
      return file;
    };
    const config = parseConfig(
      stringify({
        machines: { [scheduledOff]: { schedule: SCHEDULE }, [asleep]: { may_sleep: true } },
        alerting: {
          receivers: [
            {
              type: 'webhook',
              name: 'hook',
              url: `${hook.url}/alerts`,
              bearer_token_file: await secret('hook-token', 'hook-secret'),
            },
            {
              type: 'ntfy',
              name: 'phone',
              url: `${ntfy.url}/homelab-alerts`,
              token_file: await secret('ntfy-token', 'tk_e2e'),
              priority: 'high',
            },
            { type: 'slack', name: 'chat', url_file: await secret('slack-url', `${slack.url}/services/e2e`) },
            {
              type: 'email',
              name: 'mail',
              to: 'owner@example.org',
              from: 'tierwise@example.org',
              smarthost: smtp.address,
              require_tls: false,
            },
          ],
          severity: { critical: ['hook', 'phone', 'chat', 'mail'] },
          group_wait: '1s',
          group_interval: '1s',
          repeat_interval: '1h',
          schedules: {
            [SCHEDULE]: {
              timezone: TIMEZONE,
              times: [{ start: localTime(-60, TIMEZONE), end: localTime(60, TIMEZONE) }],
            },
          },
        },
      }),
      'alerts-delivery.yml',
    );

    const ruleFiles = await writeRuleFiles(path.join(dir, 'rules'), config);
    // Minutes of `for:` are right for a homelab and too long for a test: the test config's own business.
    for (const file of ruleFiles) {
      const doc = parse(await readFile(file, 'utf8')) as { groups: { rules: Record<string, unknown>[] }[] };
      for (const g of doc.groups) for (const r of g.rules) if ('alert' in r) r.for = '1s';
      await writeFile(file, stringify(doc, { lineWidth: 0 }));
    }
    const { configFile } = await writeAlertmanagerFiles(path.join(dir, 'alertmanager'), config.alerting);

    am = await startAlertmanager(configFile);
    agent = await startAgent();
    prom = await startPrometheus({
      scrapeConfigs: [
        { job_name: 'tierwise', static_configs: [{ targets: [agentAddress, scheduledOff, asleep] }] },
      ],
      ruleFiles,
      alertmanagers: [am.address],
    });
    await prom.waitForQuery(`up{instance="${agentAddress}"} == 1`);
    timings.setupMs = Date.now() - started;
  });

  afterAll(async () => {
    await prom?.stop();
    await am?.stop();
    await agent?.stop();
    await Promise.all([hook?.stop(), ntfy?.stop(), slack?.stop(), smtp?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`alerts-delivery timings: ${JSON.stringify(timings)}`);
  });

  /** A down notice for `instance` (other alerts about the same machine may arrive too). */
  const about = (instance: string, status: 'firing' | 'resolved') => (r: ReceivedRequest) => {
    const p = json<Partial<WebhookPayload>>(r);
    return (
      p.status === status && p.groupLabels?.alertname === 'TierwiseTargetDown' && r.body.includes(instance)
    );
  };
  const waitForMail = (subject: string) =>
    waitFor(
      subject,
      async () => smtp.mails.find((m) => m.text.includes(`${subject}\r\n`)),
      DELIVERY_BOUND_MS,
      100,
    );
  const slackAbout = (instance: string, status: 'FIRING' | 'RESOLVED') => (r: ReceivedRequest) => {
    const title = json<SlackPayload>(r).attachments[0]?.title ?? '';
    return title.startsWith(`[${status}`) && title.includes(instance);
  };

  it('pages every receiver when a machine goes down', async () => {
    await agent?.stop();
    const stopped = Date.now();

    const webhook = await hook.waitFor('firing webhook', about(agentAddress, 'firing'), DELIVERY_BOUND_MS);
    timings.firingWebhookMs = webhook.at - stopped;
    const payload = json<WebhookPayload>(webhook);
    expect(webhook.url).toBe('/alerts');
    expect(webhook.headers.authorization).toBe('Bearer hook-secret');
    expect(payload).toMatchObject({
      version: '4',
      status: 'firing',
      groupLabels: { alertname: 'TierwiseTargetDown' },
    });
    expect(payload.alerts).toHaveLength(1);
    expect(payload.alerts[0]?.labels).toMatchObject({
      alertname: 'TierwiseTargetDown',
      instance: agentAddress,
      job: 'tierwise',
      severity: 'critical',
    });
    expect(payload.alerts[0]?.annotations.runbook_url).toMatch(/#tierwisetargetdown$/);

    // ntfy renders the payload with its built-in alertmanager template, from the fields it reads.
    const pushed = await ntfy.waitFor('firing ntfy push', about(agentAddress, 'firing'), DELIVERY_BOUND_MS);
    timings.firingNtfyMs = pushed.at - stopped;
    expect(pushed.url).toBe('/homelab-alerts?template=alertmanager&priority=high');
    expect(pushed.headers.authorization).toBe('Bearer tk_e2e');
    const alert = json<WebhookPayload>(pushed).alerts[0];
    expect(alert?.labels).toMatchObject({
      alertname: 'TierwiseTargetDown',
      instance: agentAddress,
      severity: 'critical',
    });
    expect(alert?.annotations.summary).toContain(agentAddress);
    expect(alert?.annotations.description).toContain(agentAddress);

    const chat = await slack.waitFor(
      'firing Slack message',
      slackAbout(agentAddress, 'FIRING'),
      DELIVERY_BOUND_MS,
    );
    timings.firingSlackMs = chat.at - stopped;
    expect(chat.url).toBe('/services/e2e');
    const attachment = json<SlackPayload>(chat).attachments[0];
    expect(attachment?.title).toBe(`[FIRING:1] TierwiseTargetDown: ${agentAddress}`);
    expect(attachment?.text).toMatch(new RegExp(`^Firing:\\n\\n.*${agentAddress}.*is down\\n`));
    expect(attachment?.text).toContain(`· instance ${agentAddress}`);
    expect(attachment?.text).toMatch(/Runbook: https:\/\/\S+#tierwisetargetdown/);
    expect(attachment?.color).toBe('danger');

    const mail = await waitForMail(`Subject: [FIRING:1] TierwiseTargetDown: ${agentAddress}`);
    timings.firingMailMs = mail.at - stopped;
    expect(mail.text).toMatch(/^To: owner@example\.org\r$/m);
    expect(mail.text).toContain(`· instance ${agentAddress}`);
    expect(mail.text).toContain('<h2 style="color: #b3261e">[FIRING:1] TierwiseTargetDown');
  });

  it('holds back a down machine’s other alerts, and a warning while its critical form fires', async () => {
    const alert = (alertname: string, instance: string, severity: string) => ({
      labels: { alertname, instance, severity, job: 'tierwise' },
      annotations: { summary: `${alertname} on ${instance}` },
      endsAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const post = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert('TierwiseDiskFilling', agentAddress, 'warning'),
        alert('TierwiseTooHot', 'nas:10090', 'critical'),
        alert('TierwiseTooHot', 'nas:10090', 'warning'),
      ]),
    });
    expect(post.ok).toBe(true);
    const state = await waitFor('the injected alerts in Alertmanager', async () => {
      const alerts = await am.alerts();
      const find = (name: string, instance: string, severity: string) =>
        alerts.find(
          (a) =>
            a.labels.alertname === name && a.labels.instance === instance && a.labels.severity === severity,
        );
      const found = [
        find('TierwiseDiskFilling', agentAddress, 'warning'),
        find('TierwiseTooHot', 'nas:10090', 'critical'),
        find('TierwiseTooHot', 'nas:10090', 'warning'),
      ];
      return found.every((a) => a !== undefined)
        ? found.map((a) => [a?.status.state, a?.status.inhibitedBy.length])
        : undefined;
    });
    expect(state).toEqual([
      ['suppressed', 1],
      ['active', 0],
      ['suppressed', 1],
    ]);
  });

  it('sends the resolved notice when the machine is back', async () => {
    const restarting = Date.now();
    agent = await startAgent();
    timings.agentRestartMs = Date.now() - restarting;

    const webhook = await hook.waitFor(
      'resolved webhook',
      about(agentAddress, 'resolved'),
      DELIVERY_BOUND_MS,
    );
    timings.resolvedWebhookMs = webhook.at - restarting;
    expect(json<WebhookPayload>(webhook).alerts.map((a) => [a.status, a.labels.instance])).toEqual([
      ['resolved', agentAddress],
    ]);
    const pushed = await ntfy.waitFor(
      'resolved ntfy push',
      about(agentAddress, 'resolved'),
      DELIVERY_BOUND_MS,
    );
    expect(json<WebhookPayload>(pushed).alerts[0]?.status).toBe('resolved');
    const chat = await slack.waitFor(
      'resolved Slack message',
      slackAbout(agentAddress, 'RESOLVED'),
      DELIVERY_BOUND_MS,
    );
    timings.resolvedSlackMs = chat.at - restarting;
    expect(json<SlackPayload>(chat).attachments[0]).toMatchObject({
      title: `[RESOLVED] TierwiseTargetDown: ${agentAddress}`,
      color: 'good',
    });
    const mail = await waitForMail(`Subject: [RESOLVED] TierwiseTargetDown: ${agentAddress}`);
    expect(mail.text).toMatch(/^Resolved:$/m);
  });

  it('never pages for a machine off on its schedule, nor for one that may sleep', async () => {
    // Its down alert is in Alertmanager (and has been for longer than a page took above), only muted.
    const alerts = await am.alerts();
    const down = alerts.filter((a) => a.labels.alertname === 'TierwiseTargetDown');
    const scheduled = down.find((a) => a.labels.instance === scheduledOff);
    expect(scheduled?.labels.power_schedule).toBe(SCHEDULE);
    expect(scheduled?.status.state).toBe('active');
    expect(down.find((a) => a.labels.instance === asleep)).toBeUndefined();
    // Prometheus saw both down the whole time.
    const up = await prom.query(`up{instance=~"${scheduledOff}|${asleep}"}`);
    expect(up.map((s) => s.value[1])).toEqual(['0', '0']);

    const everything = [...hook.received, ...ntfy.received, ...slack.received].map((r) => r.body);
    everything.push(...smtp.mails.map((m) => m.text));
    expect(everything.length).toBeGreaterThan(0);
    for (const text of everything) {
      expect(text).not.toContain(scheduledOff);
      expect(text).not.toContain(asleep);
    }
  });
});
