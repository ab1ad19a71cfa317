import { recordingGroups } from '../rules/recording.ts';

const recorded = new Set(
  recordingGroups().flatMap((g) => g.rules.map((r) => ('record' in r ? r.record : ''))),
);

/**
 * A series of the contract (rules/recording.ts), by name: generating a dashboard fails if a rule it
 * reads is renamed or removed, rather than the panel going quietly empty.
 */
export function contract(name: `tierwise:${string}`): string {
  if (!recorded.has(name)) throw new Error(`${name} is not a recording rule in rules/recording.ts`);
  return name;
}

/** One tier per machine (the last day's inventory may name two if it changed): for `group_left (tier)`. */
export const TIER_OF = `topk by (instance) (1, ${contract('tierwise:node_tier_info')}{tier=~"$tier"})`;

/** `expr` (by instance) for the machines of the selected tiers. */
export const inTier = (expr: string) =>
  `${expr}\nand on (instance) ${contract('tierwise:node_tier_info')}{tier=~"$tier"}`;

/** `expr` (by instance) labelled with the machine's tier, for sums per tier. */
export const withTier = (expr: string) => `${expr}\n* on (instance) group_left (tier) ${TIER_OF}`;

/** Each machine's best power figure (one series per machine: rules/recording.ts picks the source). */
export const MACHINE_POWER = `max by (instance) (${contract('tierwise:node_power_watts')})`;

/**
 * 1 for a machine that answers, 0 for one that does not: every target scraping it is up and every SSH
 * probe of it read it (a probe's own scrape succeeds even when the box behind it did not answer).
 */
export const MACHINE_UP = 'min by (instance) ({__name__=~"up|tierwise_probe_success"})';

export const HOURS_PER_WEEK = 168;
