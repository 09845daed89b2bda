import { describe, expect, it } from 'vitest';
import { likelyLastFlight, refusalShare, worthFollowUp } from './chunk-plan';

const plan = { rcpts: 8, probe: true, errorRoom: 8, sessionRoom: 50, waiting: 100, refusalShare: 0.5 };

describe('worthFollowUp', () => {
  it('follows up while the budget leaves room for 2 RCPTs, or for everything left', () => {
    expect(worthFollowUp(4, 50)).toBe(true);
    expect(worthFollowUp(2, 50)).toBe(true);
    expect(worthFollowUp(1, 50)).toBe(false);
    expect(worthFollowUp(1, 1)).toBe(true);
    expect(worthFollowUp(0, 1)).toBe(false);
  });
});

describe('likelyLastFlight', () => {
  it('is the last when the flight takes everything left (the probe is not an address)', () => {
    expect(likelyLastFlight({ ...plan, rcpts: 8, waiting: 7 })).toBe(true);
    expect(likelyLastFlight({ ...plan, rcpts: 8, waiting: 8 })).toBe(false);
  });

  it('is the last when the refusals it will likely draw leave too little budget', () => {
    // 7 addresses at 1/2 plus the probe: 8 - 1 - 3.5 = 3.5 left, another flight is worth it.
    expect(likelyLastFlight(plan)).toBe(false);
    // A second flight of 3 with 3 errors left: 3 - 1.5 = 1.5 < 2.
    expect(likelyLastFlight({ ...plan, rcpts: 3, probe: false, errorRoom: 3 })).toBe(true);
    // A domain where most addresses are refused: the first flight is already the last.
    expect(likelyLastFlight({ ...plan, refusalShare: 0.9 })).toBe(true);
    // One where nearly everything is accepted: keep the session.
    expect(likelyLastFlight({ ...plan, rcpts: 3, probe: false, errorRoom: 3, refusalShare: 0.1 })).toBe(false);
  });

  it('ignores the error budget on a proven catch-all, but not the session cap', () => {
    expect(likelyLastFlight({ ...plan, probe: false, errorRoom: Infinity, rcpts: 42 })).toBe(false);
    expect(likelyLastFlight({ ...plan, probe: false, errorRoom: Infinity, rcpts: 42, sessionRoom: 42 })).toBe(true);
  });
});

describe('refusalShare', () => {
  it('starts at 1/2 and follows what the server said', () => {
    expect(refusalShare(0, 0)).toBe(0.5);
    expect(refusalShare(0, 98)).toBeCloseTo(0.01);
    expect(refusalShare(50, 100)).toBe(0.5);
  });
});
