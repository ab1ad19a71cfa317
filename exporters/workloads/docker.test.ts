import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/fixtures.ts';
import { readWorkloadFixture, startReplayServer } from '../../test/support/replay-server.ts';
import {
  ImagePlatforms,
  inspectImagePlatforms,
  listContainers,
  parseOwnerAnnotations,
  workloadNameFor,
} from './docker.ts';

const RECORDED = readWorkloadFixture('docker_containers-json_prometheus-dockersd.json');
const NGINX_IMAGE = readWorkloadFixture('docker_image-inspect_nginx_watchtower.json');
const NGINX_ID = 'sha256:2073e0bcb60ee98548d313ead5eacbfe16d9054f8800a32bedd859922a99a6e1';

async function engine(routes: Record<string, string>, mode?: 'hang'): Promise<{ socketPath: string }> {
  const socketPath = path.join(await tempDir('docker'), 'docker.sock');
  await startReplayServer({ routes, mode, listen: { socketPath } });
  return { socketPath };
}

describe('listContainers', () => {
  it('reads the recorded /containers/json of a compose project', async () => {
    const { socketPath } = await engine({ '/containers/json': RECORDED });
    const containers = await listContainers({ socketPath, timeoutMs: 2000 });
    expect(containers.map((c) => [c.name, workloadNameFor(c)])).toEqual([
      ['dockersd_node_1', 'dockersd/node'],
      ['dockersd_noport_1', 'dockersd/noport'],
      ['dockersd_host_networking_1', 'dockersd/host_networking'],
      ['dockersd_mysql', 'dockersd/mysql'],
      ['dockersd_mysql_exporter', 'dockersd/mysqlexporter'],
      ['dockersd_multi_networks', 'dockersd/mysql'],
    ]);
    expect(containers[0]).toEqual({
      id: 'c301b928faceb1a18fe379f6bc178727ef920bb30b0f9b8592b32b36255a0eca',
      name: 'dockersd_node_1',
      image: 'prom/node-exporter:v1.1.2',
      imageId: 'sha256:c19ae228f0699185488b6a1c0debb9c6b79672181356ad455c9a7924a41a01bb',
      labels: {
        'com.docker.compose.project': 'dockersd',
        'com.docker.compose.service': 'node',
        'com.docker.compose.version': '1.25.0',
        maintainer: 'The Prometheus Authors <prometheus-developers@googlegroups.com>',
        'prometheus-job': 'node',
      },
      composeProject: 'dockersd',
      composeService: 'node',
      annotations: {},
      invalidAnnotations: [],
    });
  });

  it('rejects within the limit when the socket accepts and never answers', async () => {
    const { socketPath } = await engine({}, 'hang');
    const started = Date.now();
    await expect(listContainers({ socketPath, timeoutMs: 300 })).rejects.toThrow(
      /GET \/containers\/json: timed out after 300 ms/,
    );
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('rejects garbage, a truncated answer and an answer of the wrong shape', async () => {
    for (const [body, message] of [
      ['<html>502 Bad Gateway</html>', /the answer is not JSON/],
      [RECORDED.slice(0, 500), /the answer is not JSON/],
      ['{"message":"client version 1.99 is too new"}', /unexpected answer: \(top level\)/],
      ['[{"Id":"abc","Names":[],"Image":"x"}]', /unexpected answer: 0\.Names/],
    ] as const) {
      const { socketPath } = await engine({ '/containers/json': body });
      await expect(listContainers({ socketPath, timeoutMs: 2000 })).rejects.toThrow(message);
    }
  });

  it('rejects an HTTP error with its status', async () => {
    const { socketPath } = await engine({});
    await expect(listContainers({ socketPath, timeoutMs: 2000 })).rejects.toThrow(
      /HTTP 404: .*page not found/,
    );
  });

  it('rejects when nothing listens on the socket', async () => {
    const socketPath = path.join(await tempDir('docker'), 'absent.sock');
    await expect(listContainers({ socketPath, timeoutMs: 2000 })).rejects.toThrow(/ENOENT/);
  });
});

describe('inspectImagePlatforms', () => {
  it('reads the platform of the recorded nginx image inspection', async () => {
    const { socketPath } = await engine({ [`/images/${NGINX_ID}/json`]: NGINX_IMAGE });
    expect(await inspectImagePlatforms({ socketPath, imageId: NGINX_ID, timeoutMs: 2000 })).toEqual([
      'linux/amd64',
    ]);
  });

  it('never puts what is not an image id into the request path', async () => {
    const { socketPath } = await engine({});
    await expect(
      inspectImagePlatforms({ socketPath, imageId: '../containers/json', timeoutMs: 2000 }),
    ).rejects.toThrow(/not an image id/);
  });
});

describe('ImagePlatforms', () => {
  it('inspects each image once while containers use it, and leaves out what cannot be inspected', async () => {
    // The engine knows only the nginx image; the recorded listing's images answer 404.
    const { socketPath } = await engine({
      '/containers/json': RECORDED,
      [`/images/${NGINX_ID}/json`]: NGINX_IMAGE,
    });
    const asked: string[] = [];
    const images = new ImagePlatforms((imageId) => {
      asked.push(imageId);
      return inspectImagePlatforms({ socketPath, imageId, timeoutMs: 2000 });
    });
    const listed = await listContainers({ socketPath, timeoutMs: 2000 });
    const nginx = { ...listed[0], id: 'nginx-1', imageId: NGINX_ID } as (typeof listed)[number];
    const filled = await images.fill([...listed, nginx]);

    expect(filled.find((c) => c.id === 'nginx-1')?.imagePlatforms).toEqual(['linux/amd64']);
    expect(filled.filter((c) => c.imagePlatforms === undefined)).toHaveLength(listed.length);
    expect(new Set(asked).size).toBe(asked.length); // five distinct images, each asked once

    asked.length = 0;
    await images.fill([nginx]);
    expect(asked).toEqual([]); // known, not asked again
    await images.fill(listed);
    await images.fill([nginx]);
    expect(asked.filter((id) => id === NGINX_ID)).toHaveLength(1); // forgotten once no container used it
  });
});

describe('workloadNameFor', () => {
  it('uses the container name without compose labels, or with only one of them', () => {
    expect(workloadNameFor({ name: 'pihole' })).toBe('pihole');
    expect(workloadNameFor({ name: 'pihole', composeProject: 'dns' })).toBe('pihole');
  });
});

describe('parseOwnerAnnotations', () => {
  it('reads the tierwise.io/* flags and pin, ignoring other labels', () => {
    expect(
      parseOwnerAnnotations({
        'tierwise.io/needs-gpu': 'true',
        'tierwise.io/always-on': '',
        'tierwise.io/latency-sensitive': 'No',
        'tierwise.io/pin': ' nas ',
        'com.docker.compose.project': 'media',
      }),
    ).toEqual({
      annotations: { needs_gpu: true, always_on: true, latency_sensitive: false, pin: 'nas' },
      invalid: [],
    });
  });

  it('lets a later source override an earlier one', () => {
    expect(
      parseOwnerAnnotations({ 'tierwise.io/pin': 'pi4' }, { 'tierwise.io/pin': 'nuc' }).annotations,
    ).toEqual({ pin: 'nuc' });
  });

  it('reports unknown keys and unreadable values instead of dropping them silently', () => {
    const { annotations, invalid } = parseOwnerAnnotations(null, {
      'tierwise.io/needs_gpu': 'true',
      'tierwise.io/always-on': 'sometimes',
      'tierwise.io/pin': '',
    });
    expect(annotations).toEqual({});
    expect(invalid).toEqual([
      expect.stringMatching(/^tierwise\.io\/needs_gpu: unknown key/),
      'tierwise.io/always-on: "sometimes" is neither true nor false',
      'tierwise.io/pin: empty',
    ]);
  });
});
