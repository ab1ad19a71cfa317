/**
 * The SSH probe shared out over replicas without any coordination between them: every replica loads
 * the same probe.targets, and Prometheus decides which replica probes which target. `hashmod` of the
 * target's name picks a shard, and the shard names the replica (a StatefulSet's tierwise-probe-N, or
 * one host:port per shard elsewhere), so each target always reaches the same replica and only that
 * replica holds an SSH connection to it. Changing the number of shards moves targets between replicas;
 * their pooled connections are opened anew there.
 */

/** Replicas of the K3s probe StatefulSet (deploy/k3s/base/probe.yaml) and the modulus that matches it. */
export const K3S_PROBE_SHARDS = 2;

/** One step of Prometheus' relabel_configs (only the fields tierwise uses). */
export interface Relabel {
  source_labels?: string[];
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: 'replace' | 'keep' | 'drop' | 'hashmod' | 'labeldrop';
  modulus?: number;
}

export interface ProbeShards {
  shards: number;
  /** The probe replica serving shard `$1` (Prometheus substitutes the shard number), as host:port. */
  address: string;
}

/**
 * The multi-target pattern of docs/probe.md with the replica chosen by hashmod: the target list holds
 * names from probe.targets, each name becomes the `target` parameter and the instance.
 */
export function shardedProbeRelabeling({ shards, address }: ProbeShards): Relabel[] {
  return [
    { source_labels: ['__address__'], target_label: '__param_target' },
    { source_labels: ['__param_target'], target_label: 'instance' },
    {
      source_labels: ['__param_target'],
      action: 'hashmod',
      modulus: shards,
      target_label: '__tmp_probe_shard',
    },
    {
      source_labels: ['__tmp_probe_shard'],
      regex: '(.+)',
      target_label: '__address__',
      replacement: address,
    },
  ];
}

/** The K3s replicas, by their StatefulSet names under the headless Service. */
export const K3S_PROBE_SHARDS_CONFIG: ProbeShards = {
  shards: K3S_PROBE_SHARDS,
  address: 'tierwise-probe-$1.tierwise-probe.tierwise.svc:10091',
};
