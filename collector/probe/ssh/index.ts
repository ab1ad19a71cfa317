/** The SSH transport of the agentless probe: pool, host keys, errors. See docs/probe.md. */
export type { ProbeErrorReason, RunResult } from './errors.ts';
export { ProbeError, probeErrorReasons } from './errors.ts';
export { REMOTE_COMMAND } from './exec.ts';
export { fingerprint, type HostKey, parsePublicKey } from './host-key.ts';
export {
  checkHostKey,
  type HostKeyVerdict,
  type KnownHosts,
  type KnownHostsEntry,
  knownHostsName,
  parseKnownHosts,
} from './known-hosts.ts';
export { type RunOptions, SshPool, type SshPoolOptions, type SshPoolStats } from './pool.ts';
export { type PresentedHostKey, recordHostKey, type TrustOptions, trustHostKey } from './trust.ts';
