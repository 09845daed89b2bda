import { describe, expect, it } from 'vitest';
import { HostLimiter } from './host-limiter';

describe('HostLimiter', () => {
  it('never lets more than N holders per key in, and serves waiters in order', async () => {
    const limiter = new HostLimiter(2);
    const order: number[] = [];
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const release = await limiter.acquire('10.0.0.1');
        order.push(i);
        peak = Math.max(peak, limiter.count('10.0.0.1'));
        await new Promise((r) => setTimeout(r, 2));
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(limiter.count('10.0.0.1')).toBe(0);
  });

  it('keeps keys independent and tolerates double release', async () => {
    const limiter = new HostLimiter(1);
    const a = await limiter.acquire('a');
    const b = await limiter.acquire('b');
    a();
    a();
    expect(limiter.count('a')).toBe(0);
    expect(limiter.count('b')).toBe(1);
    b();
  });

  it('drops an aborted waiter from the queue', async () => {
    const limiter = new HostLimiter(1);
    const held = await limiter.acquire('k');
    const controller = new AbortController();
    const waiting = limiter.acquire('k', controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    held();
    const next = await limiter.acquire('k');
    expect(limiter.count('k')).toBe(1);
    next();
  });
});
