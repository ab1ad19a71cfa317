import { z } from 'zod';
import { smtpFields, usernameWithPassword } from '../../../common/smtp-config.ts';
import { checkUniqueNames } from '../../../common/unique-names.ts';
import { cronProblem } from './schedule.ts';

/** Secrets stay out of tierwise.yml: each sender reads its file when it sends, and never logs it. */
const secretFile = z.string().min(1);
const httpUrl = z.url({ protocol: /^https?$/ });

/** Shows in logs and outcomes instead of the destination's URL or address. */
const name = z.string().min(1).optional();

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** POSTs {title, week, markdown, json} as JSON: for your own automation. */
const webhookDestination = z.strictObject({
  type: z.literal('webhook'),
  name,
  url: httpUrl,
  bearer_token_file: secretFile.optional(),
});

/** A short Markdown summary to an ntfy topic. */
const ntfyDestination = z.strictObject({
  type: z.literal('ntfy'),
  name,
  /** The topic URL, e.g. https://ntfy.sh/my-homelab (a self-hosted server works the same). */
  url: httpUrl.refine((u) => new URL(u).pathname.replace(/\/+$/, '').length > 1, {
    message: 'expected the topic URL, e.g. https://ntfy.sh/my-homelab',
  }),
  token_file: secretFile.optional(),
});

/** Slack, Mattermost, Rocket.Chat, or Discord through its Slack-compatible `/slack` webhook URL. */
const slackDestination = z.strictObject({
  type: z.literal('slack'),
  name,
  /** A file holding the webhook URL (the URL is the secret). */
  url_file: secretFile,
  /** Longer reports are cut at a line break; Discord refuses messages over 2000 characters. */
  max_length: z.number().int().min(200).default(1900),
});

/** Opens an issue with the Markdown report in a Gitea (or Forgejo) repository. */
const giteaDestination = z.strictObject({
  type: z.literal('gitea'),
  name,
  /** The instance's base URL, e.g. https://git.example.lan */
  url: httpUrl,
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name'),
  /** An access token with write:issue scope. */
  token_file: secretFile,
  /** Label IDs (Gitea's API takes IDs, not names). */
  labels: z.array(z.number().int().positive()).optional(),
});

/** The HTML report inline, the Markdown as the plain-text part. */
const emailDestination = z
  .strictObject({ type: z.literal('email'), name, ...smtpFields })
  .refine(...usernameWithPassword);

export const destinationSchema = z.discriminatedUnion('type', [
  webhookDestination,
  ntfyDestination,
  slackDestination,
  giteaDestination,
  emailDestination,
]);
export type DestinationConfig = z.infer<typeof destinationSchema>;

const seconds = z.number().nonnegative();

/** The `report:` section of tierwise.yml: where weekly reports are kept, when they run, where they go. */
export const reportDeliveryConfigSchema = z
  .strictObject({
    /** Every report is written here before any delivery, and stays (relative: to the working directory). */
    out_dir: z.string().min(1).default('tierwise-data/reports'),
    /** Five-field cron expression; the default is Mondays at 07:00. */
    schedule: z
      .string()
      .min(1)
      .superRefine((expr, ctx) => {
        const problem = cronProblem(expr);
        if (problem)
          ctx.addIssue({ code: 'custom', message: `expected a five-field cron expression: ${problem}` });
      })
      .default('0 7 * * 1'),
    /**
     * The IANA time zone the schedule is read in and weeks start in; unset, the tariff's, else UTC
     * (reportTimezone). One zone for both, so a Monday-morning run finds last week complete.
     */
    timezone: z
      .string()
      .min(1)
      .refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/London' })
      .optional(),
    /**
     * The collector runs the report on `schedule`. Set false where a K8s CronJob or a systemd timer
     * runs `tierwise report --deliver` instead, so the owner is not sent it twice.
     */
    in_collector: z.boolean().default(true),
    /** How long one attempt at one destination may take. */
    timeout_seconds: z.number().positive().default(30),
    retries: z
      .strictObject({
        /** Attempts in all, the first included. */
        attempts: z.number().int().min(1).max(20).default(5),
        initial_delay_seconds: seconds.default(30),
        max_delay_seconds: seconds.default(900),
        /** Spread each delay over its upper half, so destinations that failed together retry apart. */
        jitter: z.boolean().default(true),
      })
      .refine((r) => r.max_delay_seconds >= r.initial_delay_seconds, {
        path: ['max_delay_seconds'],
        message: 'expected at least initial_delay_seconds',
      })
      .prefault({}),
    destinations: z.array(destinationSchema).default([]),
  })
  .superRefine((c, ctx) => checkUniqueNames(c.destinations, 'destinations', ctx));
export type ReportDeliveryConfig = z.infer<typeof reportDeliveryConfigSchema>;

/** The zone weeks start in and the schedule is read in: report.timezone, else the tariff's, else UTC. */
export function reportTimezone(config: {
  report: Pick<ReportDeliveryConfig, 'timezone'>;
  tariff?: { timezone?: string | undefined } | undefined;
}): string {
  return config.report.timezone ?? config.tariff?.timezone ?? 'UTC';
}
export type RetryConfig = ReportDeliveryConfig['retries'];
