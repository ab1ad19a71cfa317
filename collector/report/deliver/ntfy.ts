import type { RenderedReport } from '../rendered.ts';
import type { DestinationConfig } from './config.ts';
import type { SendContext } from './context.ts';
import { postJson } from './http.ts';
import { readSecret } from './secret.ts';
import { truncateMarkdown } from './truncate.ts';

type NtfyDestination = Extract<DestinationConfig, { type: 'ntfy' }>;

/** ntfy turns longer messages into attachments, which phones show as a file rather than text. */
const MAX_MESSAGE = 3500;

/**
 * Publishes as JSON to the server's root ({topic, title, message, markdown: true}) rather than with
 * Title headers: headers cannot carry a non-ASCII title, JSON can.
 */
export async function send(report: RenderedReport, dest: NtfyDestination, ctx: SendContext): Promise<void> {
  const { root, topic } = splitTopicUrl(dest.url);
  const headers: Record<string, string> = {};
  if (dest.token_file) headers.authorization = `Bearer ${await readSecret(dest.token_file, 'ntfy token')}`;
  await postJson(
    root,
    {
      topic,
      title: report.title,
      message: truncateMarkdown(report.markdown, MAX_MESSAGE, ctx.stored?.markdown),
      markdown: true,
      tags: ['bar_chart'],
    },
    { label: `ntfy ${dest.name ?? topic}`, timeoutMs: ctx.timeoutMs, headers },
  );
}

/** https://host/prefix/topic → root https://host/prefix/ and topic; a server under a path prefix works too. */
export function splitTopicUrl(url: string): { root: string; topic: string } {
  const u = new URL(url);
  const parts = u.pathname.replace(/\/+$/, '').split('/');
  const topic = decodeURIComponent(parts.pop() ?? '');
  u.pathname = `${parts.join('/')}/`;
  u.search = '';
  u.hash = '';
  return { root: u.toString(), topic };
}
