import { z } from 'zod';
import { plugsConfigSchema } from './plugs/config.ts';

const fraction = z.number().min(0).max(1);

/** A machine's power profile in tierwise.yml (agent.power.profiles), e.g. as `tierwise calibrate` fits it. */
export const powerProfileSchema = z
  .strictObject({
    idle_watts: z.number().nonnegative(),
    max_watts: z.number().positive(),
    /** (utilisation, fraction of the idle-to-max span) points; none means a straight line. */
    curve: z.array(z.tuple([fraction, fraction])).optional(),
    /** Where the figures come from: a meter, a calibration run, a datasheet. */
    source: z.string().min(1).optional(),
  })
  .refine((p) => p.idle_watts < p.max_watts, { message: 'expected idle_watts below max_watts' });

export const powerConfigSchema = z.strictObject({
  /**
   * The profile the model uses: a built-in one (rpi-5, mini-pc-n100, …) or a key of `profiles`.
   * Default: the built-in profile of this Raspberry Pi model; other machines need one named.
   */
  profile: z.string().min(1).optional(),
  profiles: z.record(z.string(), powerProfileSchema).default({}),
  /** Smart plugs this agent polls, and the machines each feeds (docs/power-plugs.md). */
  plugs: plugsConfigSchema,
});
