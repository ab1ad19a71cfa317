import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../common/config.ts';
import { ROOT } from './files.ts';

const COMPOSE_DIR = path.join(ROOT, 'deploy', 'compose');
const read = (file: string) => readFileSync(path.join(COMPOSE_DIR, file), 'utf8');

interface Service {
  image: string;
  build?: { context: string };
  read_only?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  privileged?: boolean;
  security_opt?: string[];
  user?: string;
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  deploy?: {
    resources?: { reservations?: { devices?: { driver: string; capabilities: string[] }[] } };
  };
}

const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };

// The official Compose Specification schema (schema/SOURCE.md), draft-07.
const validate = new Ajv({ strict: false, validateSchema: false, allErrors: true }).compile(
  JSON.parse(read('schema/compose-spec.json')),
);

/** Host side of each bind mount, relative to the compose file; named volumes and absolute paths left out. */
function relativeBinds(s: Service): string[] {
  return (s.volumes ?? [])
    .map((v) => (typeof v === 'string' ? (v.split(':')[0] as string) : v.source))
    .filter((source) => source.startsWith('.'));
}

describe('deploy/compose/compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is checked by a schema that refuses unknown keys', () => {
    const agent = compose.services.agent as Service;
    const misspelt = {
      ...compose,
      services: { ...compose.services, agent: { ...agent, network_mdoe: 'host' } },
    };
    expect(validate(misspelt)).toBe(false);
  });

  it('runs every service read-only, with no capabilities and no privilege escalation', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toEqual(['ALL']);
      expect(s.cap_add, name).toBeUndefined();
      expect(s.privileged, name).toBeUndefined();
      expect(s.security_opt, name).toContain('no-new-privileges:true');
    }
  });

  it('mounts only files that exist in the repository (or are the owner’s secrets)', () => {
    for (const [name, s] of Object.entries(compose.services))
      for (const source of relativeBinds(s))
        if (source !== './secrets')
          expect(existsSync(path.join(COMPOSE_DIR, source)), `${name}: ${source}`).toBe(true);
    const build = compose.services.agent?.build?.context as string;
    expect(existsSync(path.join(COMPOSE_DIR, build, 'Dockerfile'))).toBe(true);
  });

  it('shows the agent the host read-only and the NVIDIA GPUs through a device reservation', () => {
    const agent = compose.services.agent as Service;
    const hostMounts = (agent.volumes ?? []).filter((v) =>
      typeof v === 'string' ? v.includes(':/host/') : v.target.startsWith('/host/'),
    );
    expect(hostMounts).toHaveLength(3);
    for (const v of hostMounts) expect(typeof v === 'string' ? v.endsWith(':ro') : v.read_only).toBe(true);
    expect(agent.deploy?.resources?.reservations?.devices).toEqual([
      expect.objectContaining({ driver: 'nvidia', capabilities: expect.arrayContaining(['gpu']) }),
    ]);
  });

  it("reads a tierwise.yml that parses, whose collector reads the project's Prometheus", () => {
    const config = parseConfig(read('tierwise.yml'), 'deploy/compose/tierwise.yml');
    expect(config.collector.prometheus.url).toBe('http://prometheus:9090');
    expect(config.tariff).toBeDefined();
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['agent', 'collector', 'prometheus', 'alertmanager', 'grafana']),
    );
  });
});
