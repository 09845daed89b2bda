import { describe, expect, it } from 'vitest';
import { batchJobId } from './keys';
import { scaled, timeScale } from './time-scale';

describe('batch job ids', () => {
  it('are derived from list, domain and number (a resubmit is the same job), with no ":" (BullMQ refuses it)', () => {
    expect(batchJobId('l-1', 'example.com', 3)).toBe('l-1~example.com~3');
    expect(batchJobId('l-1', 'example.com', 3, 2)).toBe('l-1~example.com~3~r2');
    expect(batchJobId('l-1', 'example.com', 3)).not.toContain(':');
  });
});

describe('time scale', () => {
  it('is 1 unless MAILPING_TIME_SCALE is a factor in (0, 1]', () => {
    expect(timeScale({})).toBe(1);
    expect(timeScale({ MAILPING_TIME_SCALE: '0.1' })).toBe(0.1);
    expect(timeScale({ MAILPING_TIME_SCALE: '5' })).toBe(1);
    expect(timeScale({ MAILPING_TIME_SCALE: 'fast' })).toBe(1);
    expect(scaled(60_000, 0.1)).toBe(6000);
    expect(scaled(0, 0.1)).toBe(1);
  });
});
