import { createHash } from 'node:crypto';

/**
 * A host public key as SSH sends it: the wire blob (RFC 4253 §6.6), which is also exactly what the
 * base64 field of a known_hosts line decodes to, so keys are compared blob to blob.
 */
export interface HostKey {
  /** The key type named inside the blob: "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"… */
  type: string;
  blob: Buffer;
}

/** The type a key blob names in its first field (a uint32 length, then the name); undefined if malformed. */
export function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  const type = blob.subarray(4, 4 + length).toString('latin1');
  return /^[A-Za-z0-9@._-]+$/.test(type) ? type : undefined;
}

/** A blob as a HostKey; throws when it does not name a type. */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  const type = blobType(blob);
  if (type === undefined) throw new Error('malformed host key');
  return { type, blob };
}

/** OpenSSH's fingerprint: "SHA256:" and the base64 of the blob's SHA-256, without padding (ssh-keygen -l). */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A public key line ("ssh-ed25519 AAAA… comment", as in a .pub file) as a HostKey. */
export function parsePublicKey(line: string): HostKey {
  const [type, base64] = line.trim().split(/\s+/);
  if (type === undefined || base64 === undefined) throw new Error('expected "<type> <base64 key>"');
  const blob = Buffer.from(base64, 'base64');
  if (blobType(blob) !== type) throw new Error(`key data does not match its type ${JSON.stringify(type)}`);
  return { type, blob };
}

/**
 * The key types ssh2 may negotiate for a key type in known_hosts: an RSA key ("ssh-rsa") is used with
 * the SHA-2 signature algorithms first. Used to ask the server for the type we already know, as
 * OpenSSH does, so a host with several host keys is not reported as changed.
 */
export function algorithmsFor(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type];
}
