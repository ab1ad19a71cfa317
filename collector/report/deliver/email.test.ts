import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/log.ts';
import type { RenderedReport } from '../rendered.ts';
import { reportDeliveryConfigSchema } from './config.ts';
import { deliverReport } from './deliver.ts';

const report: RenderedReport = {
  title: 'tierwise weekly report — 2026-W13',
  week: '2026-W13',
  html: '<!doctype html><html><body><h1>Weekly report</h1><p>Costs: £4.20 — pi-1 is idle</p></body></html>',
  markdown: '# Weekly report\n\nCosts: £4.20 — pi-1 is idle\n',
  json: '{"week":"2026-W13"}',
};

interface Smtp {
  port: number;
  mail: ParsedMail[];
  envelopes: { from: string; to: string[]; user: string | undefined }[];
  stop(): Promise<void>;
}

/** A real SMTP server on loopback that parses what it is sent; STARTTLS off, so plain text on the wire. */
async function startSmtp(options: Partial<SMTPServerOptions> = {}): Promise<Smtp> {
  const mail: ParsedMail[] = [];
  const envelopes: Smtp['envelopes'] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'tierwise' && auth.password === 'smtp-pass') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((parsed) => {
          mail.push(parsed);
          envelopes.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user,
          });
          cb();
        })
        .catch(cb);
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { port: address.port, mail, envelopes, stop: () => new Promise((r) => server.close(() => r())) };
}

let dir: string;
let smtp: Smtp | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierwise-email-'));
});
afterEach(async () => {
  await smtp?.stop();
  smtp = undefined;
  await rm(dir, { recursive: true, force: true });
});

function config(destination: Record<string, unknown>) {
  return reportDeliveryConfigSchema.parse({
    out_dir: join(dir, 'reports'),
    timeout_seconds: 5,
    retries: { attempts: 2, initial_delay_seconds: 0 },
    destinations: [{ type: 'email', to: 'owner@example.lan', from: 'tierwise@example.lan', ...destination }],
  });
}

/** A report sent to a fresh loopback SMTP server (smtp), logging in as tierwise with this password. */
async function sendLoggingIn(password: string) {
  const server = await startSmtp();
  smtp = server;
  const password_file = join(dir, 'smtp-password');
  await writeFile(password_file, password);
  const outcomes = await deliverReport(
    report,
    config({
      smarthost: `127.0.0.1:${server.port}`,
      username: 'tierwise',
      password_file,
      require_tls: false,
    }),
    { log: silentLogger },
  );
  return { outcomes, server };
}

describe('email delivery', () => {
  it('is received by an SMTP server with the HTML inline and the Markdown as the text part', async () => {
    const { outcomes, server } = await sendLoggingIn('smtp-pass\n');
    expect(outcomes[1]).toEqual({ destination: 'email owner@example.lan', ok: true, attempts: 1 });
    expect(server.envelopes).toEqual([
      { from: 'tierwise@example.lan', to: ['owner@example.lan'], user: 'tierwise' },
    ]);
    const [m] = server.mail;
    expect(m?.subject).toBe(report.title);
    expect(m?.from?.text).toBe('tierwise@example.lan');
    expect(m?.html).toBe(report.html);
    expect(m?.text).toBe(report.markdown);
    expect(m?.attachments).toEqual([]);
  });

  it('fails without retrying on a refused login, naming the SMTP response', async () => {
    const { outcomes, server } = await sendLoggingIn('wrong');
    expect(outcomes[1]).toMatchObject({ ok: false, attempts: 1 });
    expect(outcomes[1]?.error).toMatch(
      /^email owner@example\.lan via 127\.0\.0\.1:\d+: SMTP 535 .*Invalid username or password \(to AUTH PLAIN\)$/,
    );
    expect(outcomes[1]?.error).not.toContain('wrong');
    expect(server.mail).toEqual([]);
  });

  it('refuses to send in clear text when require_tls is on and the server offers no STARTTLS', async () => {
    smtp = await startSmtp();
    const outcomes = await deliverReport(report, config({ smarthost: `127.0.0.1:${smtp.port}` }), {
      log: silentLogger,
    });
    // The server's final word (5xx): another attempt would get the same answer.
    expect(outcomes[1]).toMatchObject({ ok: false, attempts: 1 });
    expect(outcomes[1]?.error).toMatch(
      /: SMTP 500 .* \(to STARTTLS\); the server does not offer STARTTLS \(set require_tls: false to send unencrypted\)$/,
    );
    expect(smtp.mail).toEqual([]);
  });
});
