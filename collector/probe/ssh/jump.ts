import type { Duplex } from 'node:stream';
import type { ProbeTarget } from '../config.ts';
import type { Connection } from './connect.ts';
import { classifyError, ProbeError, quoted } from './errors.ts';

/**
 * The targets to pass through to reach `target`, outermost jump host first and `target` last. The
 * config schema checks that a jump names a target; loops (a → b → a) are caught here.
 */
export function jumpChain(target: ProbeTarget, targets: readonly ProbeTarget[]): ProbeTarget[] {
  const chain = [target];
  const seen = new Set([target.name]);
  let current = target;
  while (current.jump !== undefined) {
    const name: string = current.jump;
    const next = targets.find((t) => t.name === name);
    if (next === undefined)
      throw new ProbeError('unreachable', `jump host ${quoted(name)} is not a configured target`);
    if (seen.has(next.name))
      throw new ProbeError('unreachable', `jump hosts loop back to ${quoted(next.name)}`);
    seen.add(next.name);
    chain.unshift(next);
    current = next;
  }
  return chain;
}

/**
 * A stream to host:port opened by the jump host's sshd (a "direct-tcpip" channel, as `ssh -J` uses),
 * over which the target's own SSH session then runs end to end: the jump host never sees its keys.
 */
export function forwardThrough(
  via: Connection,
  target: ProbeTarget,
  options: { signal: AbortSignal; timeoutMs: number; where: string },
): Promise<Duplex> {
  const context = { where: options.where, timeoutMs: options.timeoutMs, phase: 'connect' as const };
  return new Promise<Duplex>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(classifyError(new Error('deadline'), { ...context, timedOut: true }));
    };
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    // node-ssh throws at once (not a rejection) when the jump connection has already gone.
    Promise.resolve()
      .then(() => via.ssh.forwardOut('127.0.0.1', 0, target.host, target.port))
      .then(
        (channel) => {
          options.signal.removeEventListener('abort', onAbort);
          // Opened after the deadline: nobody will use it.
          if (settled) channel.close();
          else resolve(channel);
          settled = true;
        },
        (err: unknown) => {
          options.signal.removeEventListener('abort', onAbort);
          if (!settled) reject(classifyError(err, { ...context, timedOut: false }));
          settled = true;
        },
      );
  });
}
