import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/fixtures.ts';
import { makeSelfSignedCert } from '../test/support/tls.ts';
import { ConfigError } from './config.ts';
import { BasicAuth, loadWebConfig } from './web-config.ts';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function problems(yaml: string): Promise<string[]> {
  const file = path.join(await tempDir('web-config'), 'web-config.yml');
  await writeFile(file, yaml);
  try {
    await loadWebConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadWebConfig', () => {
  it('reads certificate and key relative to the web config file', async () => {
    const tls = await makeSelfSignedCert();
    const file = path.join(tls.dir, 'web-config.yml');
    await writeFile(
      file,
      'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  min_version: TLS13\n',
    );
    const config = await loadWebConfig(file);
    expect(config.tls?.cert?.toString()).toMatch(/BEGIN CERTIFICATE/);
    expect(config.tls?.minVersion).toBe('TLSv1.3');
    expect(config.tls?.requestCert).toBe(false);
  });

  it.each([
    [
      'an unknown key, so a typo never turns TLS off',
      'tls_server_confg: {}\n',
      /unknown key\(s\) 'tls_server_confg'/,
    ],
    [
      'a plain password',
      'basic_auth_users:\n  alice: hunter2\n',
      /^basic_auth_users\.alice: expected a bcrypt hash/,
    ],
    [
      'client verification without a CA',
      'tls_server_config: { cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert }\n',
      /client_ca_file: required/,
    ],
    [
      'a missing certificate file',
      'tls_server_config: { cert_file: nope.pem, key_file: nope.key }\n',
      /cert_file: cannot read/,
    ],
  ])('refuses %s', async (_what, yaml, message) => {
    const found = await problems(yaml);
    expect(found.join('\n')).toMatch(message);
    expect(found.join('\n')).not.toContain('hunter2');
  });
});

describe('BasicAuth', () => {
  const auth = new BasicAuth(new Map([['prometheus', bcrypt.hashSync('s3cret', 4).replace('$2b$', '$2y$')]]));

  it('accepts the right password, also from its cache', async () => {
    expect(await auth.check(basic('prometheus', 's3cret'))).toBe(true);
    expect(await auth.check(basic('prometheus', 's3cret'))).toBe(true);
  });

  it('refuses a wrong password, an unknown user, other schemes and garbage', async () => {
    expect(await auth.check(basic('prometheus', 's3cret!'))).toBe(false);
    expect(await auth.check(basic('root', 's3cret'))).toBe(false);
    expect(await auth.check('Bearer s3cret')).toBe(false);
    expect(await auth.check('Basic bm9jb2xvbg==')).toBe(false);
    expect(await auth.check(undefined)).toBe(false);
  });
});
