import { describe, expect, it } from 'vitest';
import { memoByKey } from './memo-by-key';

describe('memoByKey', () => {
  it('computes each key once, null answers included, and starts over when full', () => {
    const asked: string[] = [];
    const f = memoByKey((k) => (asked.push(k), k === 'none' ? null : k.length), 2);
    expect([f('ab'), f('ab'), f('none'), f('none')]).toEqual([2, 2, null, null]);
    expect(asked).toEqual(['ab', 'none']);
    f('xyz'); // full: forgets ab and none
    f('ab');
    expect(asked).toEqual(['ab', 'none', 'xyz', 'ab']);
  });
});
