import os from 'node:os';
import { type Collector, type CollectorContext, NoDataError } from '../../collector.ts';
import { FamilyBuilder } from '../../metrics.ts';
import { addNodePower } from '../series.ts';
import type { PlugConfig } from './config.ts';
import { PlugPoller, STALE_POLLS } from './poller.ts';
import { createPlugReader, type PlugReader } from './readers.ts';

export interface PlugCollectorOptions {
  /** This machine's name, as plugs' `machines` list it. Default: the hostname. */
  machine?: string;
  /** Start polling at once (default true); tests drive poll() themselves. */
  start?: boolean;
  /** The clock, for tests. */
  now?: () => number;
  /** Readers by plug name, for tests that feed typed readings instead of a device. */
  readers?: Record<string, PlugReader>;
}

export interface PlugCollector extends Collector {
  /** Polls every plug once and waits for all; the agent never needs it, tests do. */
  poll(): Promise<void>;
  /** Stops polling. */
  close(): void;
}

/**
 * Smart plugs as a collector: each plug polled in the background (PlugPoller), and every scrape served
 * from the last readings without waiting on the LAN.
 *
 * Per plug: tierwise_plug_up{plug} (0 with a reason), tierwise_plug_sample_age_seconds{plug},
 * tierwise_plug_power_watts{plug,kind}, tierwise_plug_energy_joules_total{plug,kind,method}. For plugs that
 * feed this machine, its share of them as tierwise_node_power_watts{source="plug",plug} and
 * tierwise_node_energy_joules_total{source="plug",plug,method}. Power older than STALE_POLLS poll
 * intervals is left out (unknown, not the last figure); the energy counter stays, as it was.
 */
export function createPlugCollector(
  ctx: CollectorContext,
  plugs: readonly PlugConfig[],
  options: PlugCollectorOptions = {},
): PlugCollector {
  const now = options.now ?? Date.now;
  const machine = options.machine ?? os.hostname();
  const pollers = plugs.map(
    (plug) =>
      new PlugPoller(
        plug,
        options.readers?.[plug.name] ?? createPlugReader(plug),
        ctx.log.child({ collector: 'plugs' }),
        now,
      ),
  );
  if (options.start ?? true) for (const p of pollers) p.start();
  ctx.log.debug({ plugs: plugs.map((p) => p.name), machine }, 'smart plugs');

  return {
    async poll() {
      await Promise.all(pollers.map((p) => p.poll()));
    },
    close() {
      for (const p of pollers) p.stop();
    },
    async collect() {
      if (pollers.length === 0) throw new NoDataError('no smart plugs configured (agent.power.plugs)');
      const at = now();
      const b = new FamilyBuilder();
      for (const poller of pollers) {
        const { plug } = poller;
        const s = poller.snapshot();
        b.gauge(
          'tierwise_plug_up',
          "Whether the plug's latest poll succeeded (1) or not (0, with the reason as a label).",
          s.up ? 1 : 0,
          s.up || s.reason === undefined ? { plug: plug.name } : { plug: plug.name, reason: s.reason },
        );
        if (s.last) {
          b.gauge(
            'tierwise_plug_sample_age_seconds',
            "Seconds since the plug's last good reading.",
            Math.max(0, (at - s.last.atMs) / 1000),
            { plug: plug.name },
          );
        }
        const fresh = s.last !== undefined && at - s.last.atMs <= STALE_POLLS * plug.poll_seconds * 1000;
        const watts = fresh ? s.last?.watts : undefined;
        if (watts !== undefined) {
          b.gauge('tierwise_plug_power_watts', 'Power the plug measures, in watts.', watts, {
            plug: plug.name,
            kind: plug.kind,
          });
        }
        if (s.energy) {
          b.counter(
            'tierwise_plug_energy_joules_total',
            'Energy through the plug: its own counter kept monotonic (method=meter), or its power integrated (method=integrated).',
            s.energy.joules,
            { plug: plug.name, kind: plug.kind, method: s.energy.method },
          );
        }
        const share = shareOf(plug, machine);
        if (share === undefined) continue;
        if (watts !== undefined) addNodePower(b, 'plug', { watts: watts * share }, { plug: plug.name });
        if (s.energy) {
          addNodePower(
            b,
            'plug',
            { joules: s.energy.joules * share },
            { plug: plug.name, method: s.energy.method },
          );
        }
      }
      return b.build();
    },
  };
}

/** This machine's share of a plug, or undefined when the plug does not feed it. */
export function shareOf(plug: Pick<PlugConfig, 'machines'>, machine: string): number | undefined {
  return plug.machines.find((m) => sameMachine(m.name, machine))?.share;
}

/** Names compare case-insensitively, and "pi4-a" is "pi4-a.lan" (a short name against a full one). */
export function sameMachine(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  const isIp = (s: string) => /^[\d.]+$/.test(s) || s.includes(':');
  if (isIp(x) || isIp(y)) return false;
  return x.split('.')[0] === y.split('.')[0];
}
