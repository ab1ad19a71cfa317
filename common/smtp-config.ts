import { z } from 'zod';

/** Mail by SMTP, as alert receivers and report destinations both configure it. */
export const smtpFields = {
  to: z.string().min(1),
  from: z.string().min(1),
  /** host:port of the SMTP server. */
  smarthost: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port'),
  username: z.string().min(1).optional(),
  /** Read when mail is sent; the password itself is never in a config file. */
  password_file: z.string().min(1).optional(),
  /** Refuse to send unless the connection is encrypted (STARTTLS, or TLS on port 465). */
  require_tls: z.boolean().default(true),
};

/** A password needs a user to log in as (the arguments of `.refine`). */
export const usernameWithPassword: [
  (s: { username?: string | undefined; password_file?: string | undefined }) => boolean,
  { path: PropertyKey[]; message: string },
] = [
  (s) => s.password_file === undefined || s.username !== undefined,
  { path: ['username'], message: 'expected a username with password_file' },
];
