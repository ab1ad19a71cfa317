import type { CollectorDefinition } from '../collector.ts';
import { createPlugCollector } from '../power/plugs/collector.ts';

/** Smart plugs from agent.power.plugs, polled in the background (docs/power-plugs.md). */
export const plugPowerCollector: CollectorDefinition = {
  name: 'plug_power',
  description: 'power and energy from smart plugs on the LAN (Shelly, Tasmota, TP-Link Kasa)',
  defaultEnabled: true,
  create: (ctx) => createPlugCollector(ctx, ctx.config.power.plugs),
};
