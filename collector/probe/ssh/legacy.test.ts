import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { tempDir } from '../../../test/support/fixtures.ts';
import { probeFailure } from '../../../test/support/probe-errors.ts';
import { type Sshd, startSshd, targetOn } from '../../../test/support/sshd.ts';
import { probeConfigSchema } from '../config.ts';
import { SshPool } from './pool.ts';

/**
 * Debian's sshd limited to what OpenSSH before 5.7 offers (SHA-1 Diffie-Hellman, CBC ciphers, hmac-sha1):
 * an old box's server, which the default algorithms cannot talk to.
 */
describe('targets that speak only legacy algorithms', () => {
  let sshd: Sshd;

  beforeAll(async () => {
    sshd = await startSshd({
      extraConfig: ['KexAlgorithms diffie-hellman-group14-sha1', 'Ciphers aes128-cbc', 'MACs hmac-sha1'],
    });
  }, 30_000);

  afterAll(async () => {
    await sshd?.stop();
  });

  async function pool(legacy: boolean) {
    const file = path.join(await tempDir('legacy-kh'), 'known_hosts');
    await writeFile(file, `${sshd.knownHostsLine}\n`);
    const target = targetOn(sshd, sshd.clientKey, sshd.user, 'old-box', { legacy_algorithms: legacy });
    const p = new SshPool(probeConfigSchema.parse({ known_hosts: file, targets: [target] }));
    onTestFinished(() => p.close());
    return { p, target };
  }

  it('cannot be reached with the default algorithms', async () => {
    const { p, target } = await pool(false);
    expect((await probeFailure(p.run(target, 'true'))).reason).toBe('refused');
  });

  it('is reached with legacy_algorithms, the script running as on any target', async () => {
    const { p, target } = await pool(true);
    expect(await p.run(target, 'echo "$0 $#"')).toEqual({ stdout: 'sh 0\n', stderr: '', code: 0 });
  });
});
