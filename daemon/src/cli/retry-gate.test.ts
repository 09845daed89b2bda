import { describe, expect, it } from 'vitest';
import { RetryGate } from './retry-gate';

describe('RetryGate', () => {
  it('holds an answer whose retry is queued until its update, and prints each address once', () => {
    const gate = new RetryGate<string>(10_000);
    expect(gate.take('a@x.test', 'greylisted', true, 0)).toEqual([]);
    expect(gate.take('b@x.test', 'accepted', false, 0)).toEqual([['b@x.test', 'accepted']]);
    expect(gate.waiting).toBe(1);
    // The first retry is greylisted again and another is queued: still held.
    expect(gate.take('a@x.test', 'greylisted', true, 5000)).toEqual([]);
    expect(gate.take('a@x.test', 'accepted', false, 8000)).toEqual([['a@x.test', 'accepted']]);
    expect(gate.take('a@x.test', 'accepted', false, 9000)).toEqual([]);
    expect(gate.done).toBe(2);
    expect(gate.waiting).toBe(0);
  });

  it('gives up waiting at the deadline with the answer it holds', () => {
    const gate = new RetryGate<string>(10_000);
    gate.take('a@x.test', 'greylisted', true, 0);
    expect(gate.expire(9999)).toEqual([]);
    expect(gate.expire(10_000)).toEqual([['a@x.test', 'greylisted']]);
    // A late update changes nothing printed.
    expect(gate.take('a@x.test', 'accepted', false, 11_000)).toEqual([]);
    // After the deadline, a retrying answer goes out at once.
    expect(gate.take('b@x.test', 'greylisted', true, 11_000)).toEqual([['b@x.test', 'greylisted']]);
  });

  it('without a wait (deadline 0) prints every first answer at once', () => {
    const gate = new RetryGate<string>(0);
    expect(gate.take('a@x.test', 'greylisted', true, 1)).toEqual([['a@x.test', 'greylisted']]);
    expect(gate.take('a@x.test', 'accepted', false, 2)).toEqual([]);
  });
});
