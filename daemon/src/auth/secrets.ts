import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret: what the database keeps instead of the secret itself. */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** 256 random bits, URL-safe: long enough that guessing is hopeless. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Compares two SHA-256 digests in constant time. Digests always have the same length, so
 * timingSafeEqual never throws; a wrong-length value (a corrupt row) simply does not match.
 */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
