import type { VerificationResult } from '@mailping/shared';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { closeHarnesses, makeHarness, waitFor } from './scheduler-harness';

/**
 * Greylisting with the lab's real postgrey: the first RCPT of a (client, sender, recipient)
 * triplet gets 450, the same one after greylistDelaySeconds gets 250. A new sender per test
 * makes a new triplet.
 */
const lab = inject('lab');
afterEach(closeHarnesses);

const sender = (tag: string): string => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@sender.mailping.test`;
const settings = (from: string) => ({ from, greylist: { retryDelaySeconds: lab.greylistDelaySeconds + 1, maxRetries: 3 } });

describe('greylisting retries', () => {
  it('answers greylisted at once with a retryAt, retries by itself and pushes the new result', async () => {
    const h = makeHarness({ settings: settings(sender('retry')) });
    const updates: VerificationResult[] = [];
    h.scheduler.onUpdate((r) => updates.push(r));

    const started = Date.now();
    const first = await h.scheduler.submit('alice@greylist.test', { clientId: 'g' });
    expect(first.result).toMatchObject({ verdict: 'unknown', reason: 'greylisted', reply: { code: 450 } });
    expect(Date.now() - started).toBeLessThan(2000);
    const retryIn = Date.parse(first.result.retryAt!) - Date.parse(first.result.checkedAt);
    expect(retryIn).toBeGreaterThan((lab.greylistDelaySeconds + 1) * 1000 - 500);
    expect(retryIn).toBeLessThan((lab.greylistDelaySeconds + 1) * 1000 + 500);
    expect(h.scheduler.stats().pendingRetries).toBe(1);

    await waitFor('the retry result', () => updates.length > 0, 15_000);
    expect(updates[0]).toMatchObject({ normalized: 'alice@greylist.test', verdict: 'deliverable', reason: 'accepted' });
    expect(h.scheduler.stats().pendingRetries).toBe(0);
    expect(h.scheduler.lookup('alice@greylist.test')?.reason).toBe('accepted');
    expect((await h.scheduler.submit('alice@greylist.test', { clientId: 'g' })).cached).toBe(true);
  });

  it('keeps pending retries across a restart and runs them after it', async () => {
    const h = makeHarness({ settings: settings(sender('restart')) });
    expect((await h.scheduler.submit('alice@greylist.test', { clientId: 'g' })).result.reason).toBe('greylisted');
    await h.restart();
    const updates: VerificationResult[] = [];
    h.scheduler.onUpdate((r) => updates.push(r));
    expect(h.scheduler.stats().pendingRetries).toBe(1);
    await waitFor('the retry after the restart', () => updates.length > 0, 15_000);
    expect(updates[0]?.reason).toBe('accepted');
    expect(h.scheduler.stats().pendingRetries).toBe(0);
  });

  it('records a retry without running it when told not to (the CLI leaves them to the daemon)', async () => {
    const h = makeHarness({ settings: { from: sender('norun'), greylist: { retryDelaySeconds: 1 } }, scheduler: { runRetries: false } });
    const updates: VerificationResult[] = [];
    h.scheduler.onUpdate((r) => updates.push(r));
    expect((await h.scheduler.submit('alice@greylist.test', { clientId: 'g' })).result.reason).toBe('greylisted');
    await new Promise((r) => setTimeout(r, 1500));
    expect(updates).toEqual([]);
    expect(h.scheduler.stats().pendingRetries).toBe(1);
  });
});
