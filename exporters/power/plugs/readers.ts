import { readFile } from 'node:fs/promises';
import { httpTarget, type PlugConfig, tcpTarget } from './config.ts';
import { type AuthScheme, type Credentials, plugGet } from './http.ts';
import { KASA_REQUEST, kasaQuery, parseKasaReply } from './kasa.ts';
import { PlugError, type PlugReading } from './reading.ts';
import { parseShellyGen1Status, parseShellyRpcStatus } from './shelly.ts';
import { parseTasmotaStatus } from './tasmota.ts';

/** Reads a plug once over the LAN, under the plug's timeout. */
export type PlugReader = () => Promise<PlugReading>;

/**
 * The reader for a configured plug: Shelly Gen1 `GET /status`, Shelly Gen2+ `GET /rpc/Shelly.GetStatus`
 * (every component in one answer, Pro 3EM included), Tasmota `GET /cm?cmnd=Status%208`, Kasa
 * emeter.get_realtime over TCP 9999. The password file is read at every poll, so a changed password
 * needs no restart.
 */
export function createPlugReader(plug: PlugConfig): PlugReader {
  const timeoutMs = plug.timeout_seconds * 1000;
  if (plug.kind === 'kasa') {
    const { host, port } = tcpTarget(plug.address);
    const what = `Kasa ${plug.name} (${host}:${port}) emeter.get_realtime`;
    return async () =>
      parseKasaReply(await kasaQuery({ host, port, request: KASA_REQUEST, timeoutMs, what }), what);
  }
  const target = httpTarget(plug.address);
  const where = `${plug.name} (${target.hostname}:${target.port})`;
  const credentials = async (): Promise<Credentials | undefined> =>
    plug.password_file === undefined
      ? undefined
      : { username: plug.username ?? 'admin', password: await readPassword(plug.password_file) };
  const get = async (pathAndQuery: string, what: string, scheme: AuthScheme) => {
    const creds = await credentials();
    return plugGet({
      target,
      pathAndQuery,
      timeoutMs,
      what,
      ...(creds ? { auth: { scheme, credentials: creds } } : {}),
    });
  };
  switch (plug.kind) {
    case 'shelly-gen1': {
      const what = `Shelly ${where} GET /status`;
      return async () => parseShellyGen1Status(await get('/status', what, 'basic'), what);
    }
    case 'shelly-rpc': {
      const what = `Shelly ${where} GET /rpc/Shelly.GetStatus`;
      return async () => parseShellyRpcStatus(await get('/rpc/Shelly.GetStatus', what, 'digest'), what);
    }
    case 'tasmota': {
      // Tasmota takes its web password in the query; `what` names the command without it.
      const what = `Tasmota ${where} GET /cm?cmnd=Status 8`;
      return async () => {
        const creds = await credentials();
        const login = creds
          ? `&user=${encodeURIComponent(creds.username)}&password=${encodeURIComponent(creds.password)}`
          : '';
        return parseTasmotaStatus(
          await plugGet({ target, pathAndQuery: `/cm?cmnd=Status%208${login}`, timeoutMs, what }),
          what,
        );
      };
    }
  }
}

/** A password file's content without trailing whitespace (as Prometheus reads password_file). */
async function readPassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new PlugError(`password_file unreadable (${code})`, `cannot read password_file ${file}: ${code}`);
  }
}
