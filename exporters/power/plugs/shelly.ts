import { z } from 'zod';
import { type ChannelReading, PlugError, type PlugReading, parsePlugJson, WH_JOULES } from './reading.ts';

/** Shelly Gen1 counts energy in watt-minutes. */
const WATT_MINUTE_JOULES = 60;

const gen1StatusSchema = z.object({
  mac: z.string().optional(),
  relays: z.array(z.object({ ison: z.boolean().optional() })).optional(),
  meters: z
    .array(
      z.object({
        power: z.number(),
        /** False while the meter's figure cannot be trusted (the device says so). */
        is_valid: z.boolean().optional(),
        /** Watt-minutes since the device started: it restarts at every reboot. */
        total: z.number().optional(),
      }),
    )
    .optional(),
});

/**
 * A Shelly Gen1 device's `GET /status` (Plug, Plug S, 1PM, 2.5…): one channel per `meters[]` entry, its
 * index the channel; `power` in W, `total` in watt-minutes (restarts with the device); `relays[].ison`.
 * A device with relays and no meters (Shelly 1) gives channels without figures. Gen1 EM/3EM's `emeters`
 * are not read (no recorded answer to test with).
 */
export function parseShellyGen1Status(text: string, what = 'Shelly /status'): PlugReading {
  const status = parsePlugJson(gen1StatusSchema, text, what);
  const meters = status.meters ?? [];
  const relays = status.relays ?? [];
  const channels: ChannelReading[] = [];
  for (let i = 0; i < Math.max(meters.length, relays.length); i++) {
    const meter = meters[i];
    const on = relays[i]?.ison;
    channels.push({
      channel: String(i),
      ...(meter && meter.is_valid !== false ? { watts: meter.power } : {}),
      ...(meter?.total !== undefined ? { energyJoules: meter.total * WATT_MINUTE_JOULES } : {}),
      ...(on !== undefined ? { on } : {}),
    });
  }
  return { channels, ...(status.mac ? { deviceId: status.mac } : {}) };
}

/** switch:N, cover:N and pm1:N all report `apower` (W) and `aenergy.total` (Wh). */
const meteredSchema = z.object({
  id: z.number().int().optional(),
  apower: z.number().optional(),
  aenergy: z.object({ total: z.number() }).optional(),
  output: z.boolean().optional(),
});

const phases = ['a', 'b', 'c'] as const;

/** em:N: a three-phase meter's active power per phase and in total (W); null where a phase is absent. */
const emSchema = z.object({
  a_act_power: z.number().nullish(),
  b_act_power: z.number().nullish(),
  c_act_power: z.number().nullish(),
  total_act_power: z.number().nullish(),
});

/** emdata:N: its energy counters (Wh), per phase and in total. */
const emDataSchema = z.object({
  a_total_act_energy: z.number().nullish(),
  b_total_act_energy: z.number().nullish(),
  c_total_act_energy: z.number().nullish(),
  total_act: z.number().nullish(),
});

const METERED_KEY = /^(?:switch|cover|pm1):(\d+)$/;

/**
 * A Shelly Gen2+ (Plus, Pro, Gen3, Gen4) RPC answer: either `Shelly.GetStatus` (every component, keyed
 * "switch:0", "cover:0", "em:0"…) or one component's `Switch.GetStatus?id=N`. Metered outputs (switch,
 * cover, pm1) become channels "N" with `apower` in W and `aenergy.total` in Wh; a Pro 3EM-style `em:0`
 * gives channels "a", "b", "c" (`<phase>_act_power`, emdata's `<phase>_total_act_energy`) and the device
 * total (`total_act_power`, emdata's `total_act`). A switch without `apower` (Shelly 1 Mini) is a channel
 * without figures. The device id is `sys.mac`; the model is not in a status answer.
 */
export function parseShellyRpcStatus(text: string, what = 'Shelly RPC status'): PlugReading {
  const raw = parsePlugJson(z.record(z.string(), z.unknown()), text, what);
  // One component's answer (Switch.GetStatus) has the component's own fields at the top level.
  if ('apower' in raw || 'aenergy' in raw || 'output' in raw) {
    const component = checkComponent(meteredSchema, raw, what, '(top level)');
    return { channels: [meteredChannel(String(component.id ?? 0), component)] };
  }
  const channels: ChannelReading[] = [];
  let device: PlugReading['device'];
  for (const [key, value] of Object.entries(raw)) {
    const match = METERED_KEY.exec(key);
    if (match?.[1] !== undefined)
      channels.push(meteredChannel(match[1], checkComponent(meteredSchema, value, what, key)));
  }
  if (raw['em:0'] !== undefined) {
    const em = checkComponent(emSchema, raw['em:0'], what, 'em:0');
    const data: z.infer<typeof emDataSchema> =
      raw['emdata:0'] === undefined ? {} : checkComponent(emDataSchema, raw['emdata:0'], what, 'emdata:0');
    for (const phase of phases) {
      const watts = em[`${phase}_act_power`];
      const wh = data[`${phase}_total_act_energy`];
      if (watts == null && wh == null) continue;
      channels.push({
        channel: phase,
        ...(watts != null ? { watts } : {}),
        ...(wh != null ? { energyJoules: wh * WH_JOULES } : {}),
      });
    }
    device = {
      ...(em.total_act_power != null ? { watts: em.total_act_power } : {}),
      ...(data.total_act != null ? { energyJoules: data.total_act * WH_JOULES } : {}),
    };
  }
  const sys = z.object({ mac: z.string() }).safeParse(raw.sys);
  channels.sort((x, y) => x.channel.localeCompare(y.channel, 'en', { numeric: true }));
  return { channels, ...(device ? { device } : {}), ...(sys.success ? { deviceId: sys.data.mac } : {}) };
}

function meteredChannel(channel: string, c: z.infer<typeof meteredSchema>): ChannelReading {
  return {
    channel,
    ...(c.apower !== undefined ? { watts: c.apower } : {}),
    ...(c.aenergy !== undefined ? { energyJoules: c.aenergy.total * WH_JOULES } : {}),
    ...(c.output !== undefined ? { on: c.output } : {}),
  };
}

function checkComponent<T>(schema: z.ZodType<T>, value: unknown, what: string, key: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = [key, ...(issue?.path.map(String) ?? [])].join('.');
  throw new PlugError(
    'invalid answer',
    `${what}: unexpected answer: ${where}: ${issue?.message ?? 'invalid'}`,
  );
}
