import type { RenderedReport } from '../rendered.ts';
import type { DestinationConfig } from './config.ts';
import type { SendContext } from './context.ts';
import { postJson } from './http.ts';
import { readSecret } from './secret.ts';

type WebhookDestination = Extract<DestinationConfig, { type: 'webhook' }>;

/** The whole report as one JSON document: {title, week, markdown, json}, `json` being the report's own JSON text. */
export async function send(
  report: RenderedReport,
  dest: WebhookDestination,
  ctx: SendContext,
): Promise<void> {
  const headers: Record<string, string> = {};
  if (dest.bearer_token_file)
    headers.authorization = `Bearer ${await readSecret(dest.bearer_token_file, 'bearer token')}`;
  await postJson(
    dest.url,
    { title: report.title, week: report.week, markdown: report.markdown, json: report.json },
    { label: `webhook ${dest.name ?? new URL(dest.url).host}`, timeoutMs: ctx.timeoutMs, headers },
  );
}
