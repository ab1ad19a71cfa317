import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge } from './http.ts';

describe('HTTP digest (Shelly Gen2+ authentication)', () => {
  it('reads a Shelly-style challenge', () => {
    expect(
      parseDigestChallenge(
        'Digest qop="auth", realm="shellyplusplugs-aabbccddeeff", nonce="6553a1b2", algorithm=SHA-256',
      ),
    ).toEqual({
      realm: 'shellyplusplugs-aabbccddeeff',
      nonce: '6553a1b2',
      algorithm: 'SHA-256',
      qopAuth: true,
    });
    expect(parseDigestChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseDigestChallenge('Digest qop="auth"')).toBeUndefined();
  });

  it('answers as curl does (curl test 2061: RFC 7616 SHA-256 without qop)', () => {
    const challenge = parseDigestChallenge(
      'Digest realm="testrealm", nonce="1053604145", algorithm="SHA-256"',
    );
    expect(challenge).toBeDefined();
    const header = digestAuthorization({
      challenge: challenge as NonNullable<typeof challenge>,
      username: 'testuser',
      password: 'testpass',
      method: 'GET',
      uri: '/2061',
      cnonce: 'unused',
      nc: 1,
    });
    expect(header).toContain('response="9dc55255f1a2537b838311674b621d45346b862a81631bb20e4ce356ef25062d"');
    expect(header).toContain('uri="/2061"');
    expect(header).not.toContain('qop=');
  });

  it('sends qop, nc and cnonce when the challenge offers qop=auth', () => {
    const header = digestAuthorization({
      challenge: { realm: 'r', nonce: 'n', algorithm: 'SHA-256', qopAuth: true, opaque: 'o' },
      username: 'admin',
      password: 'p',
      method: 'GET',
      uri: '/rpc/Shelly.GetStatus',
      cnonce: 'c',
      nc: 1,
    });
    expect(header).toMatch(
      /^Digest username="admin", realm="r", nonce="n", uri="\/rpc\/Shelly.GetStatus", algorithm=SHA-256, response="[0-9a-f]{64}", qop=auth, nc=00000001, cnonce="c", opaque="o"$/,
    );
  });
});
