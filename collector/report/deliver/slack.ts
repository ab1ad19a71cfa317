import type { RenderedReport } from '../rendered.ts';
import type { DestinationConfig } from './config.ts';
import type { SendContext } from './context.ts';
import { postJson } from './http.ts';
import { readSecret } from './secret.ts';
import { truncateMarkdown } from './truncate.ts';

type SlackDestination = Extract<DestinationConfig, { type: 'slack' }>;

/** {text}: the one field Slack, Mattermost, Rocket.Chat and Discord's `/slack` endpoint all take. */
export async function send(report: RenderedReport, dest: SlackDestination, ctx: SendContext): Promise<void> {
  const url = await readSecret(dest.url_file, 'webhook URL');
  const text = truncateMarkdown(
    `**${report.title}**\n\n${report.markdown}`,
    dest.max_length,
    ctx.stored?.markdown,
  );
  await postJson(url, { text }, { label: `slack ${dest.name ?? 'webhook'}`, timeoutMs: ctx.timeoutMs });
}
