import type { RenderedReport } from '../rendered.ts';
import type { DestinationConfig } from './config.ts';
import type { SendContext } from './context.ts';
import { postJson } from './http.ts';
import { readSecret } from './secret.ts';
import { truncateMarkdown } from './truncate.ts';

type GiteaDestination = Extract<DestinationConfig, { type: 'gitea' }>;

/** Gitea keeps issue bodies in a TEXT column; leave room rather than have the API refuse the report. */
const MAX_BODY = 60_000;

/** One issue per report: POST /api/v1/repos/{owner}/{repo}/issues, which Forgejo serves the same. */
export async function send(report: RenderedReport, dest: GiteaDestination, ctx: SendContext): Promise<void> {
  const token = await readSecret(dest.token_file, 'Gitea token');
  const [owner = '', repo = ''] = dest.repo.split('/');
  const url = new URL(
    `api/v1/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/issues`,
    dest.url.endsWith('/') ? dest.url : `${dest.url}/`,
  );
  const body = truncateMarkdown(report.markdown, MAX_BODY, ctx.stored?.markdown);
  await postJson(
    url.toString(),
    { title: report.title, body, ...(dest.labels ? { labels: dest.labels } : {}) },
    {
      label: `gitea ${dest.name ?? dest.repo}`,
      timeoutMs: ctx.timeoutMs,
      headers: { authorization: `token ${token}`, accept: 'application/json' },
    },
  );
}
