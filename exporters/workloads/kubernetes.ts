import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { z } from 'zod';
import type { WorkloadAnnotations } from '../../common/config.ts';
import { excerpt, getText, parseJson, parseOwnerAnnotations } from './docker.ts';

export interface PodOwner {
  kind: string;
  name: string;
}

/** cpu in cores, memory in bytes; absent where the pod spec sets none. */
export interface ResourceAmounts {
  cpu?: number;
  memory?: number;
}

export interface PodContainer {
  name: string;
  image: string;
  requests: ResourceAmounts;
  limits: ResourceAmounts;
}

export interface PodInfo {
  uid: string;
  namespace: string;
  name: string;
  owner: PodOwner;
  /** "<namespace>/<Kind>/<name>" of the owner: the identity that survives restarts and rescheduling. */
  workload: string;
  labels: Record<string, string>;
  /** The owner's tierwise.io/* hints from the pod's labels, then its annotations (which win). */
  annotations: WorkloadAnnotations;
  invalidAnnotations: string[];
  /** spec.containers; init containers, which do not run alongside them, are left out. */
  containers: PodContainer[];
}

export interface ClusterAccess {
  apiUrl: string;
  token: string;
  ca?: Buffer | string;
}

const stringMap = z.record(z.string(), z.string()).nullish();
const quantities = z.record(z.string(), z.string()).nullish();
const podSchema = z.object({
  metadata: z.object({
    uid: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().min(1),
    creationTimestamp: z.string().nullish(),
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: z
      .array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().nullish() }))
      .nullish(),
  }),
  spec: z.object({
    containers: z.array(
      z.object({
        name: z.string(),
        image: z.string(),
        resources: z.object({ requests: quantities, limits: quantities }).nullish(),
      }),
    ),
  }),
});
const podListSchema = z.object({ items: z.array(podSchema) });
export type RawPod = z.infer<typeof podSchema>;

/**
 * The pods scheduled on `nodeName`, from GET /api/v1/pods?fieldSelector=spec.nodeName=<node>: one
 * cluster-wide list call, which needs a ClusterRole allowing list on pods. 401 and 403 reject with a
 * message that names the missing RBAC permission; no complete answer within `timeoutMs` rejects as a timeout.
 */
export async function listPodsOnNode(
  opts: ClusterAccess & { nodeName: string; timeoutMs: number },
): Promise<PodInfo[]> {
  const url = new URL(
    `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${opts.nodeName}`)}`,
    opts.apiUrl,
  );
  const what = `Kubernetes API GET ${url.pathname}${url.search}`;
  const reply = await getText(
    https.request,
    {
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || 443,
      path: `${url.pathname}${url.search}`,
      headers: { Authorization: `Bearer ${opts.token}` },
      ca: opts.ca,
    },
    opts.timeoutMs,
    what,
  );
  if (reply.status === 401 || reply.status === 403) {
    throw new Error(
      `${what}: HTTP ${reply.status}: the service account lacks RBAC to list pods ` +
        `(it needs a ClusterRole with verbs get, list on "pods", bound to it): ${excerpt(reply.body)}`,
    );
  }
  if (reply.status !== 200) throw new Error(`${what}: HTTP ${reply.status}: ${excerpt(reply.body)}`);
  return parseJson(podListSchema, reply.body, what).items.map(podInfo);
}

export function podInfo(pod: RawPod): PodInfo {
  const { metadata } = pod;
  const owner = resolveOwner(pod);
  const hints = parseOwnerAnnotations(metadata.labels, metadata.annotations);
  return {
    uid: metadata.uid,
    namespace: metadata.namespace,
    name: metadata.name,
    owner,
    workload: `${metadata.namespace}/${owner.kind}/${owner.name}`,
    labels: metadata.labels ?? {},
    annotations: hints.annotations,
    invalidAnnotations: hints.invalid,
    containers: pod.spec.containers.map((c) => {
      const where = `pod ${metadata.namespace}/${metadata.name} container ${c.name}`;
      return {
        name: c.name,
        image: c.image,
        requests: resourceAmounts(c.resources?.requests, where),
        limits: resourceAmounts(c.resources?.limits, where),
      };
    }),
  };
}

/**
 * The pod's top controller, from the pod alone (no further API calls, so no RBAC beyond listing pods):
 *
 * - ReplicaSet "<deploy>-<hash>" whose pod carries pod-template-hash=<hash> → Deployment <deploy>. Clusters
 *   before 1.11 put the hash in the label in decimal and in the name safe-encoded; both forms are accepted.
 *   Any other ReplicaSet stays one.
 * - Job "<cronjob>-<digits>" → CronJob <cronjob> when the digits read as the CronJob controller writes
 *   them, the scheduled time in minutes since the epoch, and that time lies after 2016 (CronJob's
 *   introduction) and no later than the pod's creation. Limit: the pod carries nothing that names the
 *   CronJob, so a Job someone names like that by hand is taken for a CronJob's run, and a manual run
 *   (kubectl create job --from=cronjob/…) under any other name stays a Job. Other Jobs stay Jobs.
 * - StatefulSet, DaemonSet and any other controller kind: as they are.
 * - No owner (a bare pod, or a static pod as the kubelet lists it) and mirror pods, owned by their Node:
 *   kind "Pod" with the pod's name. This is the one case where a pod name becomes an identity; such
 *   names carry no random suffix (static pods are "<manifest>-<node>").
 */
export function resolveOwner(pod: RawPod): PodOwner {
  const { metadata } = pod;
  const refs = metadata.ownerReferences ?? [];
  const ref = refs.find((r) => r.controller) ?? refs[0];
  if (ref === undefined || ref.kind === 'Node') return { kind: 'Pod', name: metadata.name };
  if (ref.kind === 'ReplicaSet') {
    const hash = metadata.labels?.['pod-template-hash'];
    for (const suffix of hash === undefined ? [] : [hash, safeEncode(hash)]) {
      if (ref.name.endsWith(`-${suffix}`) && ref.name.length > suffix.length + 1) {
        return { kind: 'Deployment', name: ref.name.slice(0, -suffix.length - 1) };
      }
    }
  }
  if (ref.kind === 'Job') {
    const cronJob = cronJobOf(ref.name, metadata.creationTimestamp);
    if (cronJob !== undefined) return { kind: 'CronJob', name: cronJob };
  }
  return { kind: ref.kind, name: ref.name };
}

const CRONJOB_RUN = /^(.+)-(\d+)$/;
const CRONJOB_INTRODUCED_MS = Date.UTC(2016, 0, 1);

function cronJobOf(jobName: string, podCreated: string | null | undefined): string | undefined {
  const match = CRONJOB_RUN.exec(jobName);
  const created = podCreated ? Date.parse(podCreated) : Number.NaN;
  if (match?.[1] === undefined || match[2] === undefined || Number.isNaN(created)) return undefined;
  const scheduled = Number(match[2]) * 60_000;
  return scheduled >= CRONJOB_INTRODUCED_MS && scheduled <= created ? match[1] : undefined;
}

/** apimachinery's rand.SafeEncodeString, which named ReplicaSets before Kubernetes 1.11. */
function safeEncode(text: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...text].map((ch) => alphabet[ch.charCodeAt(0) % alphabet.length]).join('');
}

function resourceAmounts(values: Record<string, string> | null | undefined, where: string): ResourceAmounts {
  const amounts: ResourceAmounts = {};
  if (values?.cpu !== undefined) amounts.cpu = parseQuantity(values.cpu, `${where} cpu`);
  if (values?.memory !== undefined) amounts.memory = parseQuantity(values.memory, `${where} memory`);
  return amounts;
}

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;
const SUFFIX_FACTOR: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * A Kubernetes quantity ("250m", "1", "0.5", "512Mi", "1G", "129e6") as a plain number: cores for cpu,
 * bytes for memory. Throws on anything else; `what` names it in the message.
 */
export function parseQuantity(text: string, what: string): number {
  const match = QUANTITY.exec(text.trim());
  if (match?.[1] === undefined) throw new Error(`${what}: "${text}" is not a Kubernetes quantity`);
  const [, number, exponent, suffix] = match;
  return (
    Number(number) * (exponent ? 10 ** Number(exponent.slice(1)) : suffix ? (SUFFIX_FACTOR[suffix] ?? 1) : 1)
  );
}

export interface InClusterConfig extends ClusterAccess {
  /** The pod's own namespace, when the service account mount carries it. */
  namespace?: string;
}

const SERVICE_ACCOUNT_DIR = 'var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The API server and credentials a pod gets: KUBERNETES_SERVICE_HOST/PORT and the mounted service account's
 * token, ca.crt and namespace under <root>/var/run/secrets/kubernetes.io/serviceaccount. `root` moves the
 * mount (tests, or an agent that sees the host at /host). Throws when not in a pod.
 */
export async function inClusterConfig(
  root = '/',
  env: NodeJS.ProcessEnv = process.env,
): Promise<InClusterConfig> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error(
      'not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST or KUBERNETES_SERVICE_PORT is not set',
    );
  }
  const dir = path.join(root, SERVICE_ACCOUNT_DIR);
  const read = (file: string) => readFile(path.join(dir, file), 'utf8');
  let token: string;
  try {
    token = (await read('token')).trim();
  } catch (err) {
    throw new Error(`no service account token: ${(err as Error).message}`, { cause: err });
  }
  const optional = (file: string) => read(file).catch(() => undefined);
  const [ca, namespace] = await Promise.all([optional('ca.crt'), optional('namespace')]);
  return {
    apiUrl: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token,
    ca,
    namespace: namespace?.trim(),
  };
}
