import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { AgentConfig } from '../../common/config.ts';
import type { ProbeTarget } from './config.ts';
import { probeFamilies } from './families.ts';
import { identitySections, ProbeOutputError, type ProbeSections, parseProbeOutput } from './output.ts';
import { PROBE_SCRIPT, PROBE_SCRIPT_WITH_IDENTITY } from './script.ts';
import type { ProbeOutcome, Prober } from './server.ts';
import { ProbeError, type SshPool } from './ssh/index.ts';

/** How long a target's identity (cpuinfo, uname, os-release) is reused before it is read again. */
const IDENTITY_TTL_MS = 60 * 60_000;

/**
 * One probe: one round trip over the target's pooled SSH connection running the constant script, its
 * output parsed by the agent's own parsers into the agent's series. The identity part (cpuinfo, uname,
 * os-release: what does not change while the box runs) is asked for on the first probe, after any
 * failure (the connection may be new, the box rebooted) and hourly.
 */
export class SshProber implements Prober {
  private readonly identities = new Map<string, { sections: ProbeSections; atMs: number }>();
  private readonly lastReason = new Map<string, string | undefined>();

  constructor(
    private readonly pool: SshPool,
    /** Read at each probe, so a reload's excludes apply at once. */
    private readonly agent: () => Pick<AgentConfig, 'filesystem' | 'netdev'>,
    private readonly log: Logger,
  ) {}

  async probe(target: ProbeTarget): Promise<ProbeOutcome> {
    const started = performance.now();
    const known = this.identities.get(target.name);
    const fresh = known !== undefined && Date.now() - known.atMs < IDENTITY_TTL_MS;
    try {
      const { stdout } = await this.pool.run(target, fresh ? PROBE_SCRIPT : PROBE_SCRIPT_WITH_IDENTITY);
      const sections = parseProbeOutput(stdout);
      const identity = identitySections(sections);
      if (identity) this.identities.set(target.name, { sections: identity, atMs: Date.now() });
      const agent = this.agent();
      const families = probeFamilies(sections, {
        ...(target.tier ? { tier: target.tier } : {}),
        ...((identity ?? known?.sections) ? { identity: identity ?? known?.sections } : {}),
        filesystem: agent.filesystem,
        ...(agent.netdev.device_exclude ? { netdevDeviceExclude: agent.netdev.device_exclude } : {}),
      });
      this.note(target, undefined);
      return { families, success: true, durationSeconds: (performance.now() - started) / 1000 };
    } catch (err) {
      this.identities.delete(target.name);
      const reason =
        err instanceof ProbeError ? err.reason : err instanceof ProbeOutputError ? 'parse' : 'internal';
      this.note(target, reason, err);
      return { families: [], success: false, reason, durationSeconds: (performance.now() - started) / 1000 };
    }
  }

  /** Logs when a target starts or stops failing, not on every scrape. */
  private note(target: ProbeTarget, reason: string | undefined, err?: unknown): void {
    if (this.lastReason.get(target.name) === reason) return;
    this.lastReason.set(target.name, reason);
    if (reason === undefined) this.log.info({ target: target.name }, 'probe target answers');
    else this.log.warn({ target: target.name, reason, err: (err as Error).message }, 'probe failed');
  }
}
