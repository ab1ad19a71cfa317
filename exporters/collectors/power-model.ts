import type { CollectorContext, CollectorDefinition } from '../collector.ts';
import { NoDataError } from '../collector.ts';
import { gatherInventory } from '../inventory/inventory.ts';
import { FamilyBuilder } from '../metrics.ts';
import { busyAndTotalSeconds } from '../parsers/proc-stat.ts';
import { PowerIntegrator } from '../power/energy-counter.ts';
import { modelWatts } from '../power/model.ts';
import { BUILT_IN_PROFILES, type PowerProfile, profileForPiModel } from '../power/profiles.ts';
import { addNodePower } from '../power/series.ts';
import { readProcStat } from './stat.ts';

/** The configured profile, else this Raspberry Pi's built-in one; with its name. */
export async function resolveProfile(
  ctx: CollectorContext,
): Promise<{ name: string; profile: PowerProfile }> {
  const { profile: named, profiles } = ctx.config.power;
  const custom = Object.fromEntries(
    Object.entries(profiles).map(([name, p]) => [
      name,
      {
        idleWatts: p.idle_watts,
        maxWatts: p.max_watts,
        ...(p.curve ? { curve: p.curve } : {}),
        source: p.source ?? 'tierwise.yml',
      },
    ]),
  );
  const all: Record<string, PowerProfile> = { ...BUILT_IN_PROFILES, ...custom };
  if (named !== undefined) {
    const profile = all[named];
    if (!profile)
      throw new Error(`agent.power.profile "${named}" is neither built in nor under agent.power.profiles`);
    return { name: named, profile };
  }
  const { model } = await gatherInventory(ctx);
  const pi = profileForPiModel(model);
  const profile = pi === undefined ? undefined : BUILT_IN_PROFILES[pi];
  if (pi === undefined || !profile)
    throw new NoDataError(
      `no power profile for "${model}": set agent.power.profile (built in: ${Object.keys(BUILT_IN_PROFILES).join(', ')})`,
    );
  return { name: pi, profile };
}

/**
 * Power estimated from CPU utilisation and the machine's profile, for machines no sensor measures (Pi 4
 * and older, most desktops), and as the baseline measured sources are compared with. Utilisation is
 * busy time over all CPUs between two scrapes; energy is the model's power integrated over time.
 */
export const powerModelCollector: CollectorDefinition = {
  name: 'power_model',
  description: 'power estimated from CPU utilisation and the machine profile (idle, max, curve)',
  defaultEnabled: true,
  create(ctx) {
    let resolved: Promise<{ name: string; profile: PowerProfile }> | undefined;
    let last: { busy: number; total: number } | undefined;
    /** The last estimate, served again when a scrape comes within one clock tick of the previous one. */
    let watts: number | undefined;
    const energy = new PowerIntegrator();
    return {
      async collect() {
        resolved ??= resolveProfile(ctx);
        // A failed lookup is tried again next scrape (the inventory may have been unreadable).
        const { name, profile } = await resolved.catch((err: unknown) => {
          resolved = undefined;
          throw err;
        });
        const stat = await readProcStat(ctx.paths);
        const { busy, total } = busyAndTotalSeconds(stat.total);
        const now = Date.now();
        const b = new FamilyBuilder();
        b.gauge('tierwise_node_power_profile_info', 'The profile the power model uses, and its source.', 1, {
          profile: name,
          source: profile.source,
        });
        if (last === undefined || total > last.total) {
          if (last) {
            watts = modelWatts(profile, (busy - last.busy) / (total - last.total));
            energy.add(watts, now);
          }
          last = { busy, total };
        }
        addNodePower(b, 'model', { watts, joules: watts === undefined ? undefined : energy.joules });
        return b.build();
      },
    };
  },
};
