import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('holds a key for the given time, by the injected clock', () => {
    let t = 0;
    const b = new Backoff(() => t);
    b.set('domain:x.test', 60_000);
    expect(b.msLeft('domain:x.test')).toBe(60_000);
    expect(b.msLeft('domain:y.test', null)).toBe(0);
    t = 59_000;
    expect(b.msLeft('domain:y.test', 'domain:x.test')).toBe(1000);
    t = 60_000;
    expect(b.msLeft('domain:x.test')).toBe(0);
  });

  it('never shortens a running backoff', () => {
    let t = 0;
    const b = new Backoff(() => t);
    b.set('ip:127.0.0.1', 60_000);
    b.set('ip:127.0.0.1', 1000);
    expect(b.msLeft('ip:127.0.0.1')).toBe(60_000);
  });
});
