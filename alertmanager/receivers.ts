import type { ReceiverConfig } from './config-schema.ts';
import { TEMPLATE_NAMES } from './notification-template.ts';

const use = (name: string) => `{{ template "${name}" . }}`;

/**
 * ntfy renders Alertmanager's webhook JSON itself with its pre-defined `alertmanager` template (ntfy
 * releases from mid-2025, ntfy.sh included): a "🚨 Alert: <name>" title and the instance, severity,
 * summary and description of each alert. That keeps the message in ntfy's hands rather than in a long
 * inline `?tpl=1&m=…` URL. Alertmanager 0.25's webhook cannot set headers, so template and priority go in
 * the query.
 */
export function ntfyUrl(topicUrl: string, priority?: string): string {
  const url = new URL(topicUrl);
  url.searchParams.set('template', 'alertmanager');
  if (priority !== undefined) url.searchParams.set('priority', priority);
  return url.toString();
}

/**
 * ntfy answers 400, and nothing is delivered, when the rendered message passes its size limit (4096 bytes
 * by default). Its template prints each alert's Prometheus link, whose query alone runs to 900 bytes for
 * some tierwise alerts, so more than three alerts in one message could be lost whole.
 */
export const NTFY_MAX_ALERTS = 3;

/** One tierwise receiver as an Alertmanager receiver; every kind sends the resolved notice too. */
export function alertmanagerReceiver(r: ReceiverConfig): object {
  switch (r.type) {
    case 'ntfy':
      return {
        name: r.name,
        webhook_configs: [
          {
            url: ntfyUrl(r.url, r.priority),
            send_resolved: true,
            max_alerts: NTFY_MAX_ALERTS,
            ...(r.token_file && {
              http_config: { authorization: { type: 'Bearer', credentials_file: r.token_file } },
            }),
          },
        ],
      };
    case 'email':
      return {
        name: r.name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            ...(r.username && { auth_username: r.username }),
            ...(r.password_file && { auth_password_file: r.password_file }),
            require_tls: r.require_tls,
            send_resolved: true,
            headers: { Subject: use(TEMPLATE_NAMES.emailSubject) },
            html: use(TEMPLATE_NAMES.emailHtml),
            text: use(TEMPLATE_NAMES.emailText),
          },
        ],
      };
    case 'slack':
      return {
        name: r.name,
        slack_configs: [
          {
            api_url_file: r.url_file,
            ...(r.channel && { channel: r.channel }),
            send_resolved: true,
            title: use(TEMPLATE_NAMES.slackTitle),
            text: use(TEMPLATE_NAMES.slackText),
          },
        ],
      };
    case 'webhook': {
      const auth = r.bearer_token_file
        ? { authorization: { type: 'Bearer', credentials_file: r.bearer_token_file } }
        : r.basic_auth
          ? { basic_auth: { username: r.basic_auth.username, password_file: r.basic_auth.password_file } }
          : undefined;
      return {
        name: r.name,
        webhook_configs: [{ url: r.url, send_resolved: true, ...(auth && { http_config: auth }) }],
      };
    }
  }
}
