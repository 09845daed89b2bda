/**
 * Where a field's badge goes, as a pure function of the field's geometry. The badge floats over
 * the page (it is never part of the page's layout, so nothing shifts) and must not cover the
 * text: inside the field's right edge when the text ends before it, else just right of the
 * field, else above its top-right corner, and only as a last resort inside over the text.
 */
export interface FieldGeometry {
  /** The field's border box, viewport coordinates. */
  left: number;
  top: number;
  width: number;
  height: number;
  borderLeft: number;
  borderRight: number;
  paddingLeft: number;
  paddingRight: number;
  /** Width of what the field shows (value, or placeholder when empty); null when unmeasured. */
  textWidth: number | null;
  textAlign: 'start' | 'center' | 'end';
}

export interface Viewport {
  width: number;
  height: number;
}

export interface Placement {
  x: number;
  y: number;
  size: number;
  side: 'inside' | 'outside' | 'above';
}

export const BADGE_SIZE = 18;
const MIN_SIZE = 12;
const GAP = 4;

export function placeBadge(field: FieldGeometry, viewport: Viewport, preferred = BADGE_SIZE): Placement | null {
  if (field.width <= 0 || field.height <= 0) return null;
  const size = Math.max(MIN_SIZE, Math.min(preferred, field.height - 4));
  const right = field.left + field.width;
  const y = Math.round(field.top + (field.height - size) / 2);

  const insideX = right - field.borderRight - GAP - size;
  const contentLeft = field.left + field.borderLeft + field.paddingLeft;
  const contentRight = right - field.borderRight - field.paddingRight;
  let textEnd: number;
  if (field.textWidth === null) {
    // Unmeasured: trust the padding only.
    textEnd = field.paddingRight >= size + GAP ? insideX - GAP : contentRight;
  } else if (field.textWidth === 0) {
    textEnd = contentLeft;
  } else if (field.textAlign === 'end') {
    textEnd = contentRight;
  } else if (field.textAlign === 'center') {
    textEnd = Math.min(contentRight, contentLeft + (contentRight - contentLeft + field.textWidth) / 2);
  } else {
    textEnd = Math.min(contentRight, contentLeft + field.textWidth);
  }

  if (size <= field.height && textEnd + GAP <= insideX && insideX >= field.left) {
    return { x: Math.round(insideX), y, size, side: 'inside' };
  }
  const outsideX = right + GAP;
  if (outsideX + size <= viewport.width - 2) return { x: Math.round(outsideX), y, size, side: 'outside' };
  const aboveY = field.top - size - 2;
  if (aboveY >= 0) return { x: Math.round(right - size), y: Math.round(aboveY), size, side: 'above' };
  return { x: Math.round(insideX), y, size, side: 'inside' };
}
