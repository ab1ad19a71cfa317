import { z } from 'zod';

const seconds = z.number().positive();

/**
 * One machine probed over SSH. Nothing here is ever put into a shell line: the probe runs one constant
 * script, and names and hosts travel only as data (connection parameters, labels).
 */
export const probeTargetSchema = z
  .strictObject({
    /** The name Prometheus asks for (/probe?target=<name>) and the `instance` it usually becomes. */
    name: z.string().min(1),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1),
    /** Private key for key authentication (the default and recommended way). */
    key_file: z.string().min(1).optional(),
    /** Password authentication, only when configured explicitly: the password is read from this file. */
    password_file: z.string().min(1).optional(),
    /** The owner's tier for this machine; default: the inventory class. */
    tier: z.string().min(1).optional(),
    /** Another target's name to connect through (an SSH jump host). */
    jump: z.string().min(1).optional(),
    timeout_seconds: seconds.default(10),
    /**
     * Also offer the SHA-1 key exchanges, CBC ciphers and hmac-sha1 that OpenSSH before 5.7 and old
     * Dropbear (the ancient boxes this is for) speak. Weaker; only for targets that offer nothing else.
     */
    legacy_algorithms: z.boolean().default(false),
  })
  .refine((t) => t.key_file !== undefined || t.password_file !== undefined, {
    message: 'expected key_file (or, explicitly, password_file)',
  });

export const probeConfigSchema = z
  .strictObject({
    /** Host keys targets must present; `tierwise probe trust <target>` adds to it. */
    known_hosts: z.string().min(1).default('/var/lib/tierwise/known_hosts'),
    /** Probes in flight at once, over all targets. */
    max_concurrent: z.number().int().min(1).default(16),
    /** Idle pooled connections are kept alive with SSH keepalives at this interval. */
    keepalive_seconds: seconds.default(15),
    /** Run the CPU speed benchmark on targets (it loads the box for a few seconds; off by default). */
    speed_score: z.boolean().default(false),
    targets: z.array(probeTargetSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.targets.forEach((t, i) => {
      if (names.has(t.name))
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'name'],
          message: `duplicate target name "${t.name}"`,
        });
      names.add(t.name);
    });
    c.targets.forEach((t, i) => {
      if (t.jump !== undefined && !names.has(t.jump))
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'jump'],
          message: `no target named "${t.jump}"`,
        });
    });
  });

export type ProbeTarget = z.output<typeof probeTargetSchema>;
export type ProbeConfig = z.output<typeof probeConfigSchema>;
