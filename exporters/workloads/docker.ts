import http from 'node:http';
import type https from 'node:https';
import { z } from 'zod';
import type { WorkloadAnnotations } from '../../common/config.ts';

export interface DockerContainer {
  id: string;
  /** Without Docker's leading '/'. */
  name: string;
  image: string;
  /** The image's content id (sha256:…), when the engine gives it. */
  imageId?: string;
  /** Platforms the image can run on ("linux/arm64/v8"), when inspected (see ImagePlatforms). */
  imagePlatforms?: string[];
  labels: Record<string, string>;
  composeProject?: string;
  composeService?: string;
  /** The owner's tierwise.io/* placement labels. */
  annotations: WorkloadAnnotations;
  /** tierwise.io/* labels that could not be read, as "key: why", for the collector to report. */
  invalidAnnotations: string[];
}

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';

const containerListSchema = z.array(
  z.object({
    Id: z.string().min(1),
    Names: z.array(z.string()).min(1),
    Image: z.string(),
    ImageID: z.string().optional(),
    Labels: z.record(z.string(), z.string()).nullish(),
  }),
);

/**
 * The running containers, from the Docker Engine API's GET /containers/json on a unix socket (Docker's
 * /var/run/docker.sock, or Podman's /run/podman/podman.sock, which serves the same API). Rejects when the
 * whole exchange, connect to last byte, takes longer than `timeoutMs`, when the engine answers anything
 * but 200, and when the body is not the list the API documents.
 */
export async function listContainers(opts: {
  socketPath: string;
  timeoutMs: number;
}): Promise<DockerContainer[]> {
  const what = `Docker API ${opts.socketPath} GET /containers/json`;
  const reply = await getText(
    http.request,
    { socketPath: opts.socketPath, path: '/containers/json' },
    opts.timeoutMs,
    what,
  );
  if (reply.status !== 200) throw new Error(`${what}: HTTP ${reply.status}: ${excerpt(reply.body)}`);
  return parseJson(containerListSchema, reply.body, what).map((c) => {
    const labels = c.Labels ?? {};
    const owner = parseOwnerAnnotations(labels);
    return {
      id: c.Id,
      name: primaryName(c.Names),
      image: c.Image,
      ...(c.ImageID ? { imageId: c.ImageID } : {}),
      labels,
      composeProject: labels[COMPOSE_PROJECT],
      composeService: labels[COMPOSE_SERVICE],
      annotations: owner.annotations,
      invalidAnnotations: owner.invalid,
    };
  });
}

const IMAGE_ID = /^(sha256:)?[0-9a-f]{12,64}$/;

const imageSchema = z.object({
  Architecture: z.string().optional(),
  Os: z.string().optional(),
  Variant: z.string().optional(),
});

/**
 * The platform of a local image, from GET /images/{id}/json, in OCI's notation "os/architecture[/variant]"
 * ("linux/arm/v7"): what the cost model needs to know before it proposes moving a container to a machine
 * of another architecture. Empty when the engine does not say. (Docker 28+ can also list every platform
 * of a multi-platform image with ?manifests=1; not read yet, for want of a recorded answer to test with.)
 */
export async function inspectImagePlatforms(opts: {
  socketPath: string;
  imageId: string;
  timeoutMs: number;
}): Promise<string[]> {
  const what = `Docker API ${opts.socketPath} GET /images/${opts.imageId}/json`;
  // A content id goes into the path as it is; anything else is not asked for.
  if (!IMAGE_ID.test(opts.imageId)) throw new Error(`${what}: not an image id`);
  const reply = await getText(
    http.request,
    { socketPath: opts.socketPath, path: `/images/${opts.imageId}/json` },
    opts.timeoutMs,
    what,
  );
  if (reply.status !== 200) throw new Error(`${what}: HTTP ${reply.status}: ${excerpt(reply.body)}`);
  const image = parseJson(imageSchema, reply.body, what);
  if (!image.Os || !image.Architecture) return [];
  return [[image.Os, image.Architecture, image.Variant].filter(Boolean).join('/')];
}

/**
 * Image platforms by image id, kept for as long as a running container uses the image: an id names
 * fixed content, so one inspection per image is enough. An image that cannot be inspected is asked
 * again at the next listing and meanwhile has no platforms; it never fails the listing.
 */
export class ImagePlatforms {
  private known = new Map<string, string[]>();

  constructor(private readonly inspect: (imageId: string) => Promise<string[]>) {}

  async fill(containers: DockerContainer[]): Promise<DockerContainer[]> {
    const ids = new Set(containers.flatMap((c) => (c.imageId ? [c.imageId] : [])));
    const next = new Map<string, string[]>();
    await Promise.all(
      [...ids].map(async (id) => {
        const platforms = this.known.get(id) ?? (await this.inspect(id).catch(() => undefined));
        if (platforms) next.set(id, platforms);
      }),
    );
    this.known = next;
    return containers.map((c) => {
      const platforms = c.imageId ? next.get(c.imageId) : undefined;
      return platforms && platforms.length > 0 ? { ...c, imagePlatforms: platforms } : c;
    });
  }
}

/** A compose service's replicas share "<project>/<service>"; any other container is its name. */
export function workloadNameFor(
  container: Pick<DockerContainer, 'name' | 'composeProject' | 'composeService'>,
): string {
  return container.composeProject && container.composeService
    ? `${container.composeProject}/${container.composeService}`
    : container.name;
}

/** Legacy links add names such as "/web/db" (the link alias seen from "web"); the container's own has one '/'. */
function primaryName(names: string[]): string {
  const own = names.find((n) => n.lastIndexOf('/') <= 0) ?? names[0] ?? '';
  return own.startsWith('/') ? own.slice(1) : own;
}

const OWNER_KEYS: Record<string, keyof WorkloadAnnotations> = {
  'tierwise.io/needs-gpu': 'needs_gpu',
  'tierwise.io/pin': 'pin',
  'tierwise.io/always-on': 'always_on',
  'tierwise.io/latency-sensitive': 'latency_sensitive',
};
const TRUE = new Set(['', 'true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/**
 * The owner's placement hints from tierwise.io/* labels or annotations: needs-gpu, always-on and
 * latency-sensitive are flags (true/yes/on/1, false/no/off/0; an empty value, a bare compose label, means
 * true), pin names the machine or tier to stay on. Later sources override earlier ones (Kubernetes passes
 * labels, then annotations). Unknown tierwise.io/* keys and unreadable values land in `invalid`.
 */
export function parseOwnerAnnotations(...sources: Array<Record<string, string> | null | undefined>): {
  annotations: WorkloadAnnotations;
  invalid: string[];
} {
  const annotations: WorkloadAnnotations = {};
  const invalid: string[] = [];
  for (const [key, raw] of sources.flatMap((s) => Object.entries(s ?? {}))) {
    if (!key.startsWith('tierwise.io/')) continue;
    const field = OWNER_KEYS[key];
    const value = raw.trim();
    if (field === undefined) {
      invalid.push(`${key}: unknown key (expected one of ${Object.keys(OWNER_KEYS).join(', ')})`);
    } else if (field === 'pin') {
      if (value === '') invalid.push(`${key}: empty`);
      else annotations.pin = value;
    } else if (TRUE.has(value.toLowerCase()) || FALSE.has(value.toLowerCase())) {
      annotations[field] = TRUE.has(value.toLowerCase());
    } else {
      invalid.push(`${key}: "${raw}" is neither true nor false`);
    }
  }
  return { annotations, invalid };
}

type Send = (
  options: https.RequestOptions,
  onResponse: (res: http.IncomingMessage) => void,
) => http.ClientRequest;

/**
 * One GET with a hard deadline over connect, headers and body: a peer that accepts and never answers (a
 * wedged engine, an API server behind a dead proxy) must not hold a scrape. `send` is http.request or
 * https.request; the Kubernetes client and the smart-plug pollers share this. The answer's headers come
 * back too (a digest-auth challenge is in WWW-Authenticate).
 */
export function getText(
  send: Send,
  options: https.RequestOptions,
  timeoutMs: number,
  what: string,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const req = send(
      { ...options, method: 'GET', headers: { Accept: 'application/json', ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          settle(() =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          ),
        );
        res.on('error', (err) => settle(() => reject(err)));
      },
    );
    const timer = setTimeout(() => {
      const err = new Error(`${what}: timed out after ${timeoutMs} ms without a complete answer`);
      settle(() => reject(err));
      req.destroy(err);
    }, timeoutMs);
    req.on('error', (err) => settle(() => reject(new Error(`${what}: ${err.message}`, { cause: err }))));
    req.end();
  });
}

/** Parses and checks a JSON body; errors name the request and the first few problems. */
export function parseJson<T>(schema: z.ZodType<T>, body: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new Error(`${what}: the answer is not JSON (${(err as Error).message}): ${excerpt(body)}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new Error(`${what}: unexpected answer: ${problems.join('; ')}`);
  }
  return result.data;
}

export function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
