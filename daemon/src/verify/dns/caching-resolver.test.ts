import { describe, expect, it } from 'vitest';
import { cachingResolver, type TtlResolver } from './caching-resolver';

/** A resolver that counts questions and answers from a table: `ttl` in seconds, or an error code. */
function fakeResolver(table: Record<string, Array<{ address: string; ttl: number }> | string>) {
  const asked: string[] = [];
  const answer = async (key: string) => {
    asked.push(key);
    await Promise.resolve();
    const entry = table[key];
    if (entry === undefined) throw Object.assign(new Error(`no ${key}`), { code: 'ENOTFOUND' });
    if (typeof entry === 'string') throw Object.assign(new Error(entry), { code: entry });
    return entry;
  };
  const resolver: TtlResolver = {
    resolveMx: async (host) => (await answer(`mx:${host}`)).map((r) => ({ exchange: r.address, priority: r.ttl })),
    resolve4: (host) => answer(`4:${host}`),
    resolve6: (host) => answer(`6:${host}`),
  };
  return { resolver, asked };
}

describe('cachingResolver', () => {
  it('keeps A answers for their shortest TTL, and asks again once it has passed', async () => {
    let now = 0;
    const { resolver, asked } = fakeResolver({ '4:mx.a.test': [{ address: '192.0.2.1', ttl: 30 }, { address: '192.0.2.2', ttl: 10 }] });
    const dns = cachingResolver(resolver, { now: () => now });
    expect(await dns.resolve4('mx.a.test')).toEqual(['192.0.2.1', '192.0.2.2']);
    now = 9_999;
    expect(await dns.resolve4('MX.A.test')).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(asked).toEqual(['4:mx.a.test']);
    now = 10_000;
    await dns.resolve4('mx.a.test');
    expect(asked).toEqual(['4:mx.a.test', '4:mx.a.test']);
  });

  it('does not keep a TTL of 0, keeps MX for its fixed time, and caps long TTLs', async () => {
    let now = 0;
    const { resolver, asked } = fakeResolver({
      '4:zero.test': [{ address: '192.0.2.3', ttl: 0 }],
      '4:long.test': [{ address: '192.0.2.4', ttl: 86_400 }],
      'mx:a.test': [{ address: 'mx.a.test', ttl: 10 }],
    });
    const dns = cachingResolver(resolver, { now: () => now, mxTtlMs: 5000, maxTtlMs: 60_000 });
    await dns.resolve4('zero.test');
    await dns.resolve4('zero.test');
    expect(await dns.resolveMx('a.test')).toEqual([{ exchange: 'mx.a.test', priority: 10 }]);
    await dns.resolve4('long.test');
    now = 4999;
    await dns.resolveMx('a.test');
    await dns.resolve4('long.test');
    expect(asked).toEqual(['4:zero.test', '4:zero.test', 'mx:a.test', '4:long.test']);
    now = 60_000;
    await dns.resolveMx('a.test');
    await dns.resolve4('long.test');
    expect(asked.slice(4)).toEqual(['mx:a.test', '4:long.test']);
  });

  it('caches NXDOMAIN and NODATA briefly, never a server failure', async () => {
    let now = 0;
    const { resolver, asked } = fakeResolver({ '6:mx.a.test': 'ENODATA', '4:flaky.test': 'ESERVFAIL' });
    const dns = cachingResolver(resolver, { now: () => now, negativeTtlMs: 1000 });
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code: string }) => e.code);
    expect(await code(dns.resolve6('mx.a.test'))).toBe('ENODATA');
    expect(await code(dns.resolve4('gone.test'))).toBe('ENOTFOUND');
    expect(await code(dns.resolve4('flaky.test'))).toBe('ESERVFAIL');
    expect(await code(dns.resolve6('mx.a.test'))).toBe('ENODATA');
    expect(await code(dns.resolve4('gone.test'))).toBe('ENOTFOUND');
    expect(await code(dns.resolve4('flaky.test'))).toBe('ESERVFAIL');
    expect(asked).toEqual(['6:mx.a.test', '4:gone.test', '4:flaky.test', '4:flaky.test']);
    now = 1000;
    expect(await code(dns.resolve6('mx.a.test'))).toBe('ENODATA');
    expect(asked.at(-1)).toBe('6:mx.a.test');
  });

  it('asks once for concurrent questions, and forgets the oldest names past its size', async () => {
    const { resolver, asked } = fakeResolver({
      '4:a.test': [{ address: '192.0.2.1', ttl: 60 }],
      '4:b.test': [{ address: '192.0.2.2', ttl: 60 }],
      '4:c.test': [{ address: '192.0.2.3', ttl: 60 }],
    });
    const dns = cachingResolver(resolver, { maxEntries: 2 });
    const answers = await Promise.all([dns.resolve4('a.test'), dns.resolve4('a.test'), dns.resolve4('a.test')]);
    expect(answers).toEqual([['192.0.2.1'], ['192.0.2.1'], ['192.0.2.1']]);
    // Each caller has its own copy.
    answers[0]!.push('x');
    expect(await dns.resolve4('a.test')).toEqual(['192.0.2.1']);
    await dns.resolve4('b.test');
    await dns.resolve4('c.test');
    await dns.resolve4('b.test');
    await dns.resolve4('a.test');
    expect(asked).toEqual(['4:a.test', '4:b.test', '4:c.test', '4:a.test']);
  });
});
