import { describe, expect, it } from 'vitest';
import { orderByPreference } from './mx-lookup';

describe('orderByPreference', () => {
  const records = [
    { exchange: 'c', priority: 20 },
    { exchange: 'a', priority: 10 },
    { exchange: 'b', priority: 10 },
    { exchange: 'd', priority: 30 },
  ];

  it('puts lower preference first', () => {
    const order = orderByPreference(records, Math.random).map((r) => r.priority);
    expect(order).toEqual([10, 10, 20, 30]);
  });

  it('shuffles hosts of equal preference', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(orderByPreference(records, Math.random)[0]!.exchange);
    expect(seen).toEqual(new Set(['a', 'b']));
  });
});
