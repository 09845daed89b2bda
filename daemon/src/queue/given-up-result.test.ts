import { verificationResultSchema } from '@mailping/shared';
import { describe, expect, it } from 'vitest';
import { givenUpResult } from './given-up-result';

describe('givenUpResult', () => {
  it('is an honest unknown that names the queue, not the server', async () => {
    const result = (await givenUpResult('Info@Example.COM', 'job stalled more than allowable limit', new Date(0)))!;
    expect(verificationResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({ normalized: 'Info@example.com', verdict: 'unknown', reason: 'not_verified', reply: null, mx: null, transcript: [] });
    expect(result.detail).toContain('stalled');
    expect(result.flags.roleAccount).toBe(true);
  });

  it('has nothing to say for an address that does not parse', async () => {
    expect(await givenUpResult('not an address', 'x')).toBeNull();
  });
});
