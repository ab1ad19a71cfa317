import type { z } from 'zod';
import { parseJson } from '../../workloads/docker.ts';

/** One metered output of a plug: a Shelly switch or cover, a phase of a 3-phase meter, a Tasmota relay. */
export interface ChannelReading {
  /** The channel as the device numbers it: Shelly's component id ("0"), a phase ("a"), Tasmota's relay ("1"). */
  channel: string;
  /** Active power now, in watts. */
  watts?: number;
  /**
   * The device's own energy counter, converted to joules but otherwise as the device reports it: it may
   * restart at a reboot or at the start of a month (see PlugEnergy for the monotonic total).
   */
  energyJoules?: number;
  /** Whether the relay is on, where the answer says. */
  on?: boolean;
}

/** What one answer of a plug says, in SI units. */
export interface PlugReading {
  channels: ChannelReading[];
  /**
   * The whole device, where the device reports it apart from its channels: a Pro 3EM's total over its
   * phases, Tasmota's single Total of a multi-relay device.
   */
  device?: { watts?: number; energyJoules?: number };
  /** MAC address or device id, where the answer has one. */
  deviceId?: string;
  /** The model, where the answer has one (Kasa's sysinfo; Shelly and Tasmota status answers do not). */
  model?: string;
  /** When the device's energy counter began, as the device writes it (Tasmota's TotalStartTime). */
  energySince?: string;
}

/** The figures tierwise uses from one reading: the configured channel, or the whole device. */
export interface PlugSample {
  watts?: number;
  energyJoules?: number;
}

/**
 * Why a plug could not be read. `reason` is short and bounded (it becomes the `reason` label of
 * tierwise_plug_up): "timeout", "http 500", "invalid answer", "no meter", "unreachable (ECONNREFUSED)"…;
 * `message` has the detail for the log. Neither ever contains a password.
 */
export class PlugError extends Error {
  override readonly name = 'PlugError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Any failure as a PlugError: transports and parsers throw PlugErrors, anything else is a bug's message. */
export function toPlugError(err: unknown): PlugError {
  if (err instanceof PlugError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PlugError('error', message.split('\n')[0]?.slice(0, 200) ?? 'unknown error');
}

/** parseJson (not JSON, or not the shape the schema says) as PlugError "invalid answer". */
export function parsePlugJson<T>(schema: z.ZodType<T>, text: string, what: string): T {
  try {
    return parseJson(schema, text, what);
  } catch (err) {
    throw new PlugError('invalid answer', (err as Error).message);
  }
}

/**
 * The configured channel of a reading, or, without one, the whole device: its own total where it gives
 * one, else the sum over its channels (only when every channel has the figure: a partial sum would look
 * like a real one). A plug that reports neither power nor energy has no meter.
 */
export function selectSample(reading: PlugReading, channel: string | undefined, what: string): PlugSample {
  let sample: PlugSample;
  if (channel !== undefined) {
    const found = reading.channels.find((c) => c.channel === channel);
    if (!found) {
      const known = reading.channels.map((c) => c.channel).join(', ') || 'none';
      throw new PlugError(
        `no channel ${channel}`,
        `${what}: no channel ${channel} (the device has: ${known})`,
      );
    }
    sample = { watts: found.watts, energyJoules: found.energyJoules };
  } else {
    sample = {
      watts: reading.device?.watts ?? sumOf(reading.channels.map((c) => c.watts)),
      energyJoules: reading.device?.energyJoules ?? sumOf(reading.channels.map((c) => c.energyJoules)),
    };
  }
  if (sample.watts === undefined && sample.energyJoules === undefined) {
    throw new PlugError(
      'no meter',
      `${what}: the answer has no power or energy figure (a plug without a meter?)`,
    );
  }
  return sample;
}

function sumOf(values: Array<number | undefined>): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return (values as number[]).reduce((a, b) => a + b, 0);
}

export const WH_JOULES = 3600;
export const KWH_JOULES = 3_600_000;
