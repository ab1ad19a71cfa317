import type { WorkloadAnnotations } from '../../common/config.ts';
import type { CgroupIdentity } from './identity.ts';

/** What an engine's API says about the workload behind a cgroup. */
export interface ResolvedWorkload {
  workload: string;
  namespace: string;
  image?: string;
  /** Comma-separated "os/arch[/variant]" the image runs on, where the engine says. */
  imagePlatforms?: string;
  annotations: WorkloadAnnotations;
  cpuRequestCores?: number;
  cpuLimitCores?: number;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number;
}

/**
 * Names cgroups from an engine's API (Docker, Kubernetes). Scrapes never wait on the API: `lookup`
 * answers from the last completed listing, and a listing older than the cache time is refreshed in the
 * background under its own timeout, so a hung socket costs nothing but stale names.
 */
export class CachedResolver<T> {
  private items = new Map<string, ResolvedWorkload>();
  private fetchedAt = 0;
  private inFlight: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(
    readonly name: string,
    private readonly fetch: () => Promise<T[]>,
    private readonly index: (items: T[]) => Map<string, ResolvedWorkload>,
    private readonly cacheMs: number,
  ) {}

  /** Starts a refresh when the listing is stale; resolves when that refresh (if any) settles. */
  refresh(now = Date.now()): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.fetchedAt !== 0 && now - this.fetchedAt < this.cacheMs) return Promise.resolve();
    this.inFlight = this.fetch()
      .then((items) => {
        this.items = this.index(items);
        this.lastError = undefined;
      })
      .catch((err: unknown) => {
        this.lastError = (err as Error).message.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
      })
      .finally(() => {
        this.fetchedAt = Date.now();
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  lookup(key: string | undefined): ResolvedWorkload | undefined {
    return key === undefined ? undefined : this.items.get(key);
  }

  /** Up once a listing succeeded and the latest attempt did not fail. */
  status(): { up: boolean; reason?: string } {
    if (this.lastError !== undefined) return { up: false, reason: this.lastError };
    if (this.fetchedAt === 0) return { up: false, reason: 'not listed yet' };
    return { up: true };
  }
}

/** The key a resolver indexes a cgroup by: the container id, or the pod uid. */
export function resolverKey(identity: CgroupIdentity): string | undefined {
  return identity.kind === 'pod' ? identity.podUid : identity.containerId;
}
