import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/processes.ts';
import { startPrometheus, type TestPrometheus } from '../../test/support/prometheus.ts';
import { shardedProbeRelabeling } from './probe-shards.ts';

// Debian's real Prometheus applies the relabelling: the targets page shows, for every probe target,
// the replica it is sent to. Nothing listens there; only the routing is under test.

const NAMES = Array.from({ length: 40 }, (_, i) => `box-${i}`);
const SHARDS = 3;

interface ActiveTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
}

let prometheus: TestPrometheus;

beforeAll(async () => {
  prometheus = await startPrometheus({
    scrapeConfigs: [
      {
        job_name: 'tierwise-probe',
        metrics_path: '/probe',
        static_configs: [{ targets: NAMES }],
        relabel_configs: shardedProbeRelabeling({ shards: SHARDS, address: 'probe-$1.invalid:10091' }),
      },
    ],
    scrapeInterval: '1h',
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
});

async function targets(): Promise<ActiveTarget[]> {
  const res = await fetch(`${prometheus.url}/api/v1/targets?state=active`);
  return ((await res.json()) as { data: { activeTargets: ActiveTarget[] } }).data.activeTargets;
}

describe('the SSH probe sharded with hashmod', () => {
  it('sends each target, by name, to exactly one replica, and uses every replica', async () => {
    const active = await waitFor('every target discovered', async () => {
      const t = await targets();
      return t.length === NAMES.length ? t : undefined;
    });
    expect(active.map((t) => t.labels.instance).sort()).toEqual([...NAMES].sort());
    const shardOf = new Map<string, string>();
    for (const t of active) {
      const url = new URL(t.scrapeUrl);
      expect(url.pathname).toBe('/probe');
      expect(url.searchParams.get('target')).toBe(t.labels.instance);
      expect(url.host).toMatch(/^probe-[0-2]\.invalid:10091$/);
      shardOf.set(t.labels.instance as string, url.hostname);
    }
    expect(new Set(shardOf.values()).size).toBe(SHARDS);
  });
});
