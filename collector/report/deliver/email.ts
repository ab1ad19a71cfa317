import { createTransport } from 'nodemailer';
import type { RenderedReport } from '../rendered.ts';
import type { DestinationConfig } from './config.ts';
import type { SendContext } from './context.ts';
import { DeliveryError } from './retry.ts';
import { readSecret } from './secret.ts';

type EmailDestination = Extract<DestinationConfig, { type: 'email' }>;

/** What nodemailer adds to its errors. */
interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  /** The SMTP command the server answered. */
  command?: string;
}

/** The HTML report as the message, the Markdown as its plain-text alternative. */
export async function send(report: RenderedReport, dest: EmailDestination, ctx: SendContext): Promise<void> {
  const [host = '', portText = ''] = splitHostPort(dest.smarthost);
  const port = Number(portText);
  const pass = dest.password_file ? await readSecret(dest.password_file, 'SMTP password') : undefined;
  const transport = createTransport({
    host,
    port,
    // 465 is TLS from the first byte; every other port starts plain and upgrades with STARTTLS.
    secure: port === 465,
    requireTLS: dest.require_tls && port !== 465,
    ...(dest.username ? { auth: { user: dest.username, ...(pass ? { pass } : {}) } } : {}),
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  try {
    await transport.sendMail({
      from: dest.from,
      to: dest.to,
      subject: report.title,
      html: report.html,
      text: report.markdown,
    });
  } catch (err) {
    const e = err as SmtpError;
    const label = `email ${dest.name ?? dest.to} via ${dest.smarthost}`;
    const detail = e.response ? `SMTP ${e.response}${e.command ? ` (to ${e.command})` : ''}` : e.message;
    const hint =
      e.command === 'STARTTLS'
        ? '; the server does not offer STARTTLS (set require_tls: false to send unencrypted)'
        : '';
    // 5xx is the server's final word (bad login, unknown recipient); 4xx and network trouble may pass.
    throw new DeliveryError(
      `${label}: ${detail}${hint}`,
      !(e.responseCode !== undefined && e.responseCode >= 500),
    );
  } finally {
    transport.close();
  }
}

/** "host:port" and "[v6]:port". */
function splitHostPort(hostPort: string): [string, string] {
  const i = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, i).replace(/^\[(.*)\]$/, '$1'), hostPort.slice(i + 1)];
}
