import type { ClientChannel } from 'ssh2';
import type { Connection } from './connect.ts';
import { classifyError, ProbeError, type RunResult } from './errors.ts';

/**
 * The only command line ever sent: the remote login shell runs `sh -s`, a POSIX shell (busybox ash,
 * dash, old bash) that reads its script from stdin. The caller's script (a constant) is written to the
 * channel's stdin and never becomes part of a command line, so nothing in it is interpreted twice, its
 * size is not bound by the remote ARG_MAX, and it does not show in the target's `ps`. Scripts must
 * therefore not read stdin themselves (redirect `</dev/null` where a command might).
 */
export const REMOTE_COMMAND = 'sh -s';

/**
 * The connection turned out dead before the command's channel opened: nothing ran on the target, so
 * the run may be retried on a fresh connection.
 */
export class ChannelNotOpened extends Error {
  override readonly name = 'ChannelNotOpened';
}

export interface ExecOptions {
  /** The run's deadline: on abort the channel is killed and the connection dropped. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Output beyond this (stdout and stderr together) closes the channel: a target cannot fill our memory. */
  maxOutputBytes: number;
}

/** The result, and the signal's name ("KILL") when the command was killed by one (code null). */
export type ExecResult = RunResult & { signal?: string };

/** Runs `script` through REMOTE_COMMAND on an open connection. */
export function execScript(conn: Connection, script: string, options: ExecOptions): Promise<ExecResult> {
  const context = { where: conn.where, timeoutMs: options.timeoutMs, phase: 'command' as const };
  return new Promise<ExecResult>((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      done();
    };
    const onAbort = () => {
      // Ask the remote side to kill the command (OpenSSH ≥ 7.9 honours it), close the channel, and
      // drop the connection: a target that hangs once is not trusted with the next probe.
      try {
        channel?.signal('KILL');
        channel?.close();
      } catch {
        // The channel may already be gone; the connection is dropped below regardless.
      }
      conn.destroy();
      settle(() => reject(classifyError(new Error('deadline'), { ...context, timedOut: true })));
    };
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });

    const onOpen = (err: Error | undefined, ch: ClientChannel) => {
      if (err) {
        // "No response from server": the connection closed before answering the channel request.
        if (!conn.alive || /No response from server|Not connected/.test(err.message))
          return settle(() => reject(new ChannelNotOpened(err.message)));
        return settle(() =>
          reject(new ProbeError('refused', `${conn.where} refused a session channel (${err.message})`)),
        );
      }
      channel = ch;
      if (settled) {
        ch.close();
        return;
      }
      collect(ch);
    };

    const collect = (ch: ClientChannel) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let bytes = 0;
      let code: number | null | undefined;
      let signalName: string | undefined;
      const take = (into: Buffer[]) => (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > options.maxOutputBytes) {
          ch.close();
          settle(() =>
            reject(
              new ProbeError(
                'dropped',
                `${conn.where} sent more than ${options.maxOutputBytes} bytes; channel closed`,
              ),
            ),
          );
          return;
        }
        into.push(chunk);
      };
      ch.on('data', take(stdout));
      ch.stderr.on('data', take(stderr));
      ch.on('exit', (exitCode: number | null, signal?: string) => {
        code = exitCode;
        signalName = signal;
      });
      ch.on('error', () => {
        // Write-after-close and the like; the 'close' that follows decides the outcome.
      });
      ch.on('close', () => {
        // Decoded once, whole: a multi-byte character split between two packets stays intact.
        const result: RunResult = {
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          code: code ?? null,
        };
        if (code === undefined) {
          const why = conn.alive ? 'channel closed without an exit status' : 'connection lost';
          return settle(() =>
            reject(
              new ProbeError('dropped', `connection to ${conn.where} closed mid-command (${why})`, {
                result,
              }),
            ),
          );
        }
        settle(() => resolve(signalName === undefined ? result : { ...result, signal: signalName }));
      });
      ch.end(script);
    };

    try {
      conn.client.exec(REMOTE_COMMAND, onOpen);
    } catch (err) {
      // ssh2 throws "Not connected" synchronously when the socket is already closed.
      settle(() => reject(new ChannelNotOpened((err as Error).message)));
    }
  });
}
