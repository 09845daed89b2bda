import { describe, expect, it } from 'vitest';
import { MAX_SESSIONS_PER_BATCH, planBatches } from './batch-plan';

const politeness = { connectionsPerHost: 2, errorBudget: 8, maxRcptPerSession: 50 };
const batchesOf = (n: number, p = politeness): number => Math.ceil(n / planBatches(n, p).size);

describe('planBatches', () => {
  it('gives a single address one batch and one session', () => {
    expect(planBatches(1, politeness)).toEqual({ size: 1, sessions: 1 });
  });

  it('keeps what one session covers in one session', () => {
    expect(planBatches(7, politeness)).toEqual({ size: 7, sessions: 1 });
  });

  it('pools a domain that needs two sessions in one batch, as the local engine would', () => {
    // 20 addresses at 2 connections per host: both sessions share the 20, whoever has room asks.
    expect(planBatches(20, politeness)).toEqual({ size: 20, sessions: 2 });
    expect(planBatches(8, politeness)).toEqual({ size: 8, sessions: 2 });
  });

  it('never lets a session ask more than maxRcptPerSession', () => {
    for (const n of [100, 101, 999, 1000, 10_000]) {
      const plan = planBatches(n, politeness);
      expect(plan.size).toBeLessThanOrEqual(plan.sessions * politeness.maxRcptPerSession);
    }
    expect(planBatches(1000, politeness)).toEqual({ size: 100, sessions: 2 });
  });

  it('spreads a large domain over batches when the cap allows many sessions', () => {
    const loose = { ...politeness, connectionsPerHost: 20 };
    // 500 addresses: 20 sessions, 2 to a batch, in 10 batches that any worker may take.
    expect(planBatches(500, loose)).toEqual({ size: 50, sessions: 2 });
    expect(batchesOf(500, loose)).toBe(10);
    // 50 addresses: the 8 sessions the engine would use (7 addresses each), in 4 batches.
    expect(planBatches(50, loose)).toEqual({ size: 13, sessions: 2 });
  });

  it('never plans more sessions than the cap, nor more than a batch may pool', () => {
    for (const connectionsPerHost of [1, 2, 3, 5, 20]) {
      for (const n of [1, 2, 7, 8, 15, 49, 50, 51, 200, 5000]) {
        const p = { ...politeness, connectionsPerHost };
        const plan = planBatches(n, p);
        expect(plan.sessions).toBeLessThanOrEqual(Math.min(connectionsPerHost, MAX_SESSIONS_PER_BATCH));
        expect(plan.size).toBeGreaterThanOrEqual(1);
        expect(plan.size).toBeLessThanOrEqual(n);
      }
    }
  });

  it('counts a session as maxRcptPerSession when that is below the error budget', () => {
    const small = { ...politeness, maxRcptPerSession: 3 };
    // 12 addresses, 3 per session: 2 sessions of 3 in each of 2 batches (the cap of 2 per host).
    expect(planBatches(12, small)).toEqual({ size: 6, sessions: 2 });
    for (const n of [1, 3, 4, 12, 50]) {
      const plan = planBatches(n, small);
      expect(plan.size).toBeLessThanOrEqual(plan.sessions * small.maxRcptPerSession);
    }
  });

  it('with one connection per host, cuts only at maxRcptPerSession', () => {
    const one = { ...politeness, connectionsPerHost: 1 };
    expect(planBatches(40, one)).toEqual({ size: 40, sessions: 1 });
    expect(planBatches(120, one)).toEqual({ size: 40, sessions: 1 });
  });
});
