import { z } from 'zod';
import { type ChannelReading, KWH_JOULES, PlugError, type PlugReading, parsePlugJson } from './reading.ts';

/** One figure, or one per relay on multi-channel devices (a Shelly 2.5 or a Sonoff Dual under Tasmota). */
const perChannel = z.union([z.number(), z.array(z.number())]);

const energySchema = z.object({
  /** kWh since TotalStartTime; Tasmota keeps it across reboots (EnergyReset3 sets it). */
  Total: perChannel.optional(),
  /** Active power, W. */
  Power: perChannel.optional(),
  TotalStartTime: z.string().optional(),
});

/** `Status 8` wraps the sensors in StatusSNS (so does `Status 0`); the tele/…/SENSOR message does not. */
const answerSchema = z.object({
  StatusSNS: z.object({ ENERGY: energySchema.optional() }).optional(),
  ENERGY: energySchema.optional(),
});

/**
 * A Tasmota device's `GET /cm?cmnd=Status%208` answer (or `Status 0`, or a tele/…/SENSOR message):
 * `ENERGY.Power` in W and `ENERGY.Total` in kWh, each a number or, on multi-relay devices, an array of
 * one per relay. Channels are Tasmota's relay numbers from "1" (POWER1). A single Total on a multi-relay
 * device is the device's, not a channel's. A device without an energy monitor has no ENERGY at all.
 */
export function parseTasmotaStatus(text: string, what = 'Tasmota Status 8'): PlugReading {
  const answer = parsePlugJson(answerSchema, text, what);
  const energy = answer.StatusSNS?.ENERGY ?? answer.ENERGY;
  if (!energy) {
    throw new PlugError(
      'no meter',
      `${what}: the answer has no ENERGY (a device without an energy monitor?)`,
    );
  }
  const watts = listOf(energy.Power);
  const totals = listOf(energy.Total);
  const perChannelTotals = totals.length === watts.length || watts.length === 0;
  const channels: ChannelReading[] = [];
  for (let i = 0; i < Math.max(watts.length, perChannelTotals ? totals.length : 0); i++) {
    const w = watts[i];
    const kwh = perChannelTotals ? totals[i] : undefined;
    channels.push({
      channel: String(i + 1),
      ...(w !== undefined ? { watts: w } : {}),
      ...(kwh !== undefined ? { energyJoules: kwh * KWH_JOULES } : {}),
    });
  }
  const device =
    !perChannelTotals && totals.length === 1 && totals[0] !== undefined
      ? { energyJoules: totals[0] * KWH_JOULES }
      : undefined;
  return {
    channels,
    ...(device ? { device } : {}),
    ...(energy.TotalStartTime ? { energySince: energy.TotalStartTime } : {}),
  };
}

function listOf(value: number | number[] | undefined): number[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
