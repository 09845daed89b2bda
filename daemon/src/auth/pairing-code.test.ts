import { describe, expect, it } from 'vitest';
import { formatPairingCode, generatePairingCode, normalizePairingCode, PAIRING_CODE_LENGTH } from './pairing-code';

describe('pairing codes', () => {
  it('are 8 characters without I, L, O or U, shown as XXXX-XXXX', () => {
    const codes = Array.from({ length: 500 }, generatePairingCode);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(formatPairingCode(code)).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    }
    // 40 bits: 500 codes never repeat in practice.
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes[0]!.length).toBe(PAIRING_CODE_LENGTH);
  });

  it('accept what people type: lower case, spaces, dashes, O for 0 and I/L for 1', () => {
    expect(normalizePairingCode('7k3m-9qxd')).toBe('7K3M9QXD');
    expect(normalizePairingCode(' 7K3M 9QXD ')).toBe('7K3M9QXD');
    expect(normalizePairingCode('O0IL-ABCD')).toBe('0011ABCD');
    expect(normalizePairingCode(formatPairingCode('ABCD1234'))).toBe('ABCD1234');
  });

  it('refuse what cannot be a code', () => {
    expect(normalizePairingCode('')).toBeNull();
    expect(normalizePairingCode('ABC-DEF')).toBeNull();
    expect(normalizePairingCode('ABCD-EFGH-J')).toBeNull();
    expect(normalizePairingCode('ABCD-EFGU')).toBeNull();
    expect(normalizePairingCode('ABCD-EFG!')).toBeNull();
  });
});
