import { describe, expect, it } from 'vitest';
import { placeBadge, type FieldGeometry } from './badge-position';

const viewport = { width: 1000, height: 800 };
const field = (over: Partial<FieldGeometry> = {}): FieldGeometry => ({
  left: 100,
  top: 50,
  width: 300,
  height: 36,
  borderLeft: 1,
  borderRight: 1,
  paddingLeft: 8,
  paddingRight: 8,
  textWidth: 120,
  textAlign: 'start',
  ...over,
});

describe('badge placement', () => {
  it('sits inside the right edge, vertically centred, when the text ends well before it', () => {
    const p = placeBadge(field(), viewport)!;
    expect(p.side).toBe('inside');
    expect(p.x + p.size).toBeLessThanOrEqual(100 + 300 - 1);
    expect(p.x).toBeGreaterThan(100 + 1 + 8 + 120);
    expect(p.y).toBe(50 + (36 - 18) / 2);
  });

  it('moves out of the field when the text would run under it', () => {
    const p = placeBadge(field({ textWidth: 285 }), viewport)!;
    expect(p.side).toBe('outside');
    expect(p.x).toBeGreaterThanOrEqual(400);
  });

  it('treats right-aligned text as reaching the edge', () => {
    expect(placeBadge(field({ textAlign: 'end' }), viewport)!.side).toBe('outside');
  });

  it('goes above the corner when there is no room right of a full-width field', () => {
    const p = placeBadge(field({ left: 0, width: 1000, textWidth: 990 }), viewport)!;
    expect(p.side).toBe('above');
    expect(p.y + p.size).toBeLessThanOrEqual(50);
  });

  it('shrinks in a short field, but never below 12 px', () => {
    expect(placeBadge(field({ height: 20 }), viewport)!.size).toBe(16);
    expect(placeBadge(field({ height: 10 }), viewport)!.size).toBe(12);
  });

  it('is hidden for a field with no box (display: none)', () => {
    expect(placeBadge(field({ width: 0, height: 0 }), viewport)).toBeNull();
  });

  it('trusts the padding when the text could not be measured', () => {
    expect(placeBadge(field({ textWidth: null, paddingRight: 30 }), viewport)!.side).toBe('inside');
    expect(placeBadge(field({ textWidth: null, paddingRight: 4 }), viewport)!.side).toBe('outside');
  });
});
