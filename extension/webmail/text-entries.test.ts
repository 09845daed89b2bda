import { describe, expect, it } from 'vitest';
import { committedEntries } from './text-entries';

describe('recipients typed as text', () => {
  it('counts an entry once a separator follows it, or once the person left the field', () => {
    const value = 'Nobody <nobody@valid.test>, x@catchall.test; carol@valid.test';
    expect(committedEntries(value, true)).toEqual([
      { address: 'nobody@valid.test', end: 26 },
      { address: 'x@catchall.test', end: 43 },
    ]);
    expect(committedEntries(value, false).map((e) => e.address)).toEqual(['nobody@valid.test', 'x@catchall.test', 'carol@valid.test']);
  });

  it('does not split inside quotes or angle brackets, and skips entries that are not addresses', () => {
    expect(committedEntries('"Doe, Jane" <jane@valid.test>, not an address, ,\nbob@valid.test', false).map((e) => e.address)).toEqual(['jane@valid.test', 'bob@valid.test']);
  });
});
