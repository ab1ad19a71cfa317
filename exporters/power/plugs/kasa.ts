import net from 'node:net';
import { z } from 'zod';
import { KWH_JOULES, PlugError, type PlugReading, parsePlugJson, WH_JOULES } from './reading.ts';

/** The TCP port of TP-Link's local "IOT" protocol (Kasa HS1xx, KP1xx, EP25…). */
export const KASA_PORT = 9999;

/** One request for both answers tierwise reads: sysinfo for the model, emeter for the figures. */
export const KASA_REQUEST = { system: { get_sysinfo: {} }, emeter: { get_realtime: {} } } as const;

/** An answer longer than this is not a plug's (a wrong port, a different service). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * Kasa's "autokey" cipher: each byte is XORed with the previous cipher byte, the first with 171.
 * It hides nothing (the key is in every packet); it is simply how the device speaks.
 */
export function kasaEncrypt(plain: Buffer): Buffer {
  const out = Buffer.allocUnsafe(plain.length);
  let key = 171;
  for (let i = 0; i < plain.length; i++) {
    key = key ^ (plain[i] as number);
    out[i] = key;
  }
  return out;
}

export function kasaDecrypt(cipher: Buffer): Buffer {
  const out = Buffer.allocUnsafe(cipher.length);
  let key = 171;
  for (let i = 0; i < cipher.length; i++) {
    const c = cipher[i] as number;
    out[i] = key ^ c;
    key = c;
  }
  return out;
}

/** On TCP every message is its encrypted length (4 bytes, big-endian) followed by the encrypted JSON. */
export function kasaFrame(json: string): Buffer {
  const payload = kasaEncrypt(Buffer.from(json, 'utf8'));
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/**
 * Sends one request to a Kasa device over TCP and returns its decrypted answer. Rejects (PlugError) when
 * the whole exchange, connect to last byte, takes longer than `timeoutMs` ("timeout"), when the device
 * cannot be reached ("unreachable (CODE)"), and when what comes back is not a framed answer ("invalid
 * answer").
 */
export function kasaQuery(opts: {
  host: string;
  port: number;
  request: unknown;
  timeoutMs: number;
  what: string;
}): Promise<string> {
  const { what } = opts;
  return new Promise((resolve, reject) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let received = 0;
    const socket = net.connect({ host: opts.host, port: opts.port });
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const fail = (reason: string, message: string) =>
      settle(() => reject(new PlugError(reason, `${what}: ${message}`)));
    const timer = setTimeout(
      () => fail('timeout', `timed out after ${opts.timeoutMs} ms without a complete answer`),
      opts.timeoutMs,
    );
    socket.on('connect', () => socket.write(kasaFrame(JSON.stringify(opts.request))));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 4) return;
      const all = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      const length = all.readUInt32BE(0);
      if (length > MAX_ANSWER_BYTES) {
        fail('invalid answer', `not a Kasa answer (a frame of ${length} bytes announced)`);
      } else if (all.length >= 4 + length) {
        const text = kasaDecrypt(all.subarray(4, 4 + length)).toString('utf8');
        settle(() => resolve(text));
      }
    });
    socket.on('end', () =>
      fail(
        'invalid answer',
        `the device closed the connection after ${received} bytes, before a complete answer`,
      ),
    );
    socket.on('error', (err: NodeJS.ErrnoException) =>
      fail(err.code ? `unreachable (${err.code})` : 'unreachable', err.message),
    );
  });
}

const realtimeSchema = z.object({
  err_code: z.number().optional(),
  err_msg: z.string().optional(),
  /** Hardware v1: W and kWh, as floats. */
  power: z.number().optional(),
  total: z.number().optional(),
  /** Hardware v2 and later: mW and Wh, as integers. */
  power_mw: z.number().optional(),
  total_wh: z.number().optional(),
});

const replySchema = z.object({
  system: z
    .object({
      get_sysinfo: z
        .object({ model: z.string().optional(), deviceId: z.string().optional(), mac: z.string().optional() })
        .optional(),
    })
    .optional(),
  emeter: z
    .object({
      err_code: z.number().optional(),
      err_msg: z.string().optional(),
      get_realtime: realtimeSchema.optional(),
    })
    .optional(),
});

/**
 * A Kasa plug's answer to {"emeter":{"get_realtime":{}}} (with "system":{"get_sysinfo":{}} for the
 * model): one channel "0", in both field styles: `power` (W) and `total` (kWh) from hardware v1, and
 * `power_mw` (mW) and `total_wh` (Wh) from v2 on. `total` counts since the counter was last erased.
 * A plug without a meter (HS100, HS103) answers the emeter module with err_code -1, "module not support".
 * Power strips' per-outlet readings (HS300, asked with a child id) are not read.
 */
export function parseKasaReply(text: string, what = 'Kasa emeter.get_realtime'): PlugReading {
  const reply = parsePlugJson(replySchema, text, what);
  const sysinfo = reply.system?.get_sysinfo;
  const emeter = reply.emeter;
  const realtime = emeter?.get_realtime;
  if (!emeter || (emeter.err_code !== undefined && emeter.err_code !== 0) || !realtime) {
    const said = emeter?.err_msg ? ` (${emeter.err_msg})` : '';
    throw new PlugError('no meter', `${what}: the plug has no energy meter${said}`);
  }
  if (realtime.err_code !== undefined && realtime.err_code !== 0) {
    throw new PlugError(
      'device error',
      `${what}: err_code ${realtime.err_code}${realtime.err_msg ? `: ${realtime.err_msg}` : ''}`,
    );
  }
  const watts = realtime.power ?? (realtime.power_mw === undefined ? undefined : realtime.power_mw / 1000);
  const energyJoules =
    realtime.total !== undefined
      ? realtime.total * KWH_JOULES
      : realtime.total_wh !== undefined
        ? realtime.total_wh * WH_JOULES
        : undefined;
  return {
    channels: [
      {
        channel: '0',
        ...(watts !== undefined ? { watts } : {}),
        ...(energyJoules !== undefined ? { energyJoules } : {}),
      },
    ],
    ...(sysinfo?.deviceId ? { deviceId: sysinfo.deviceId } : sysinfo?.mac ? { deviceId: sysinfo.mac } : {}),
    ...(sysinfo?.model ? { model: sysinfo.model } : {}),
  };
}

const tapoSchema = z.object({
  get_device_info: z.object({ model: z.string().optional(), device_id: z.string().optional() }).optional(),
  /** Newer firmware (KP125M): mW, and Wh of the current month. */
  get_emeter_data: z.object({ power_mw: z.number().optional(), energy_wh: z.number().optional() }).optional(),
  /** current_power in mW; month_energy and today_energy in Wh. */
  get_energy_usage: z
    .object({ current_power: z.number().optional(), month_energy: z.number().optional() })
    .optional(),
  /** current_power in W (rounded). */
  get_current_power: z.object({ current_power: z.number().optional() }).optional(),
});

/**
 * The figures of a Tapo P110 or a Matter Kasa (KP125M), which speak TP-Link's newer "smart" protocol
 * (an encrypted session over HTTP, KLAP or securePassthrough). tierwise has no transport for it yet; this
 * reads the JSON of its get_device_info / get_emeter_data / get_energy_usage / get_current_power results,
 * keyed by method as python-kasa records them. Power: power_mw, else get_energy_usage's current_power
 * (mW), else get_current_power (W). Energy: month_energy (Wh), which restarts every month.
 */
export function parseTapoEnergy(text: string, what = 'Tapo energy'): PlugReading {
  const answer = parsePlugJson(tapoSchema, text, what);
  const milliwatts = answer.get_emeter_data?.power_mw ?? answer.get_energy_usage?.current_power;
  const watts = milliwatts !== undefined ? milliwatts / 1000 : answer.get_current_power?.current_power;
  const wh = answer.get_energy_usage?.month_energy ?? answer.get_emeter_data?.energy_wh;
  const info = answer.get_device_info;
  return {
    channels: [
      {
        channel: '0',
        ...(watts !== undefined ? { watts } : {}),
        ...(wh !== undefined ? { energyJoules: wh * WH_JOULES } : {}),
      },
    ],
    ...(info?.device_id ? { deviceId: info.device_id } : {}),
    ...(info?.model ? { model: info.model } : {}),
  };
}
