import { z } from 'zod';
import { smtpFields, usernameWithPassword } from '../common/smtp-config.ts';
import { checkUniqueNames } from '../common/unique-names.ts';
import { WEEKDAY_SPEC } from './schedule.ts';

/** The receiver that drops what reaches it: the root of the routing tree, so nothing is ever sent by accident. */
export const NULL_RECEIVER = 'null';

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lowercase name (a-z, 0-9, _ and -)');
const receiverName = name.refine((n) => n !== NULL_RECEIVER, {
  message: `"${NULL_RECEIVER}" is the receiver that drops alerts; pick another name`,
});
/**
 * Secrets are never written into tierwise.yml or the generated alertmanager.yml: Alertmanager reads
 * the file when it sends. Give an absolute path (a relative one is relative to alertmanager.yml).
 */
const secretFile = z.string().min(1);

const ntfyReceiver = z.strictObject({
  type: z.literal('ntfy'),
  name: receiverName,
  /** The topic URL, e.g. https://ntfy.sh/my-homelab (a self-hosted server works the same). */
  url: z.url(),
  /** An access token for a protected topic, read by Alertmanager from this file. */
  token_file: secretFile.optional(),
  /** ntfy's priority for every message to this topic; give critical alerts a topic receiver with `urgent`. */
  priority: z.enum(['min', 'low', 'default', 'high', 'urgent']).optional(),
});

const emailReceiver = z
  .strictObject({ type: z.literal('email'), name: receiverName, ...smtpFields })
  .refine(...usernameWithPassword);

/** Slack, Mattermost, Rocket.Chat, or Discord through its Slack-compatible `/slack` webhook URL. */
const slackReceiver = z.strictObject({
  type: z.literal('slack'),
  name: receiverName,
  /** A file holding the webhook URL (the URL is the secret). */
  url_file: secretFile,
  channel: z.string().min(1).optional(),
});

const webhookReceiver = z
  .strictObject({
    type: z.literal('webhook'),
    name: receiverName,
    url: z.url(),
    bearer_token_file: secretFile.optional(),
    basic_auth: z.strictObject({ username: z.string().min(1), password_file: secretFile }).optional(),
  })
  .refine((r) => r.bearer_token_file === undefined || r.basic_auth === undefined, {
    path: ['basic_auth'],
    message: 'expected either bearer_token_file or basic_auth, not both',
  });

export const receiverSchema = z.discriminatedUnion('type', [
  ntfyReceiver,
  emailReceiver,
  slackReceiver,
  webhookReceiver,
]);
export type ReceiverConfig = z.infer<typeof receiverSchema>;

const duration = z.string().regex(/^\d+[smhd]$/, 'expected a duration such as 30s, 5m, 4h');
const positiveDuration = z
  .string()
  .regex(/^[1-9]\d*[smhd]$/, 'expected a duration above zero, such as 5m or 4h');

const timeOfDay = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A window in which a machine is off on purpose (local time in `timezone`, an IANA name). */
export const scheduleSchema = z.strictObject({
  timezone: z
    .string()
    .min(1)
    .refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/London' })
    .default('UTC'),
  times: z
    .array(
      z
        .strictObject({
          /** e.g. [monday:friday] or [saturday, sunday]; a range may wrap (friday:monday); default every day. */
          weekdays: z
            .array(z.string().regex(WEEKDAY_SPEC, 'expected a weekday (monday) or a range (monday:friday)'))
            .min(1)
            .optional(),
          /** Local time the window opens, HH:MM. */
          start: z.string().regex(timeOfDay, 'expected HH:MM'),
          /** Local time it closes, HH:MM (24:00 for midnight); before `start`, it runs past midnight. */
          end: z.string().regex(timeOfDay, 'expected HH:MM'),
        })
        .refine((t) => t.start !== '24:00', { path: ['start'], message: 'expected a start before 24:00' })
        .refine((t) => t.start !== t.end, { path: ['end'], message: 'expected an end different from start' }),
    )
    .min(1),
});
export type ScheduleConfig = z.infer<typeof scheduleSchema>;

export const alertingConfigSchema = z
  .strictObject({
    /** Alerts link to their runbook section here (docs/runbooks.md; point it at your own copy if you like). */
    runbook_base_url: z.url().default('https://github.com/tierwise/tierwise/blob/main/docs/runbooks.md'),
    receivers: z.array(receiverSchema).default([]),
    /** Receivers (by name) for each severity; an alert goes to every receiver listed for its severity. */
    severity: z
      .strictObject({
        critical: z.array(name).default([]),
        warning: z.array(name).default([]),
        info: z.array(name).default([]),
      })
      .prefault({}),
    /** Extra receivers for a tier's alerts (the Pi cluster's alerts to its own channel, say). */
    tiers: z.record(z.string().min(1), z.array(name)).default({}),
    /** How long the first alert of a group waits for others before the group is sent. */
    group_wait: duration.default('30s'),
    /** How long a group that has changed (an alert added or resolved) waits before it is sent again. */
    group_interval: positiveDuration.default('5m'),
    /** How often a group that has not changed is sent again while it fires. */
    repeat_interval: positiveDuration.default('4h'),
    /** Named off-hours schedules that machines refer to (`machines.<name>.schedule`). */
    schedules: z.record(name, scheduleSchema).default({}),
  })
  .superRefine((a, ctx) => checkUniqueNames(a.receivers, 'receivers', ctx));
export type AlertingConfig = z.infer<typeof alertingConfigSchema>;
