import { randomInt } from 'node:crypto';

/**
 * One-time pairing codes as people read and type them: 8 characters of Crockford's base32
 * (no I, L, O, U), shown as XXXX-XXXX. 40 bits, and a code dies after 5 minutes or a handful of
 * wrong guesses, so guessing one is not an attack worth worrying about. Input is forgiving:
 * lower case, spaces and dashes are fine, and O/I/L are read as 0/1/1 like Crockford says.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const PAIRING_CODE_LENGTH = 8;

export function generatePairingCode(): string {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** The canonical form of what a person typed, or null when it cannot be a code. */
export function normalizePairingCode(input: string): string | null {
  const code = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== PAIRING_CODE_LENGTH) return null;
  for (const ch of code) if (!ALPHABET.includes(ch)) return null;
  return code;
}

export function formatPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
