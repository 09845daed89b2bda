/**
 * The badge's look per state. Each state differs in shape as well as colour (a check, a cross,
 * an exclamation mark, a question mark, a spinner, a dash), so it reads without colour vision.
 */
export type IconState = 'idle' | 'checking' | 'deliverable' | 'undeliverable' | 'risky' | 'unknown' | 'offline' | 'invalid';

export const ICON_COLORS: Record<IconState, string> = {
  idle: '#8c959f',
  checking: '#0969da',
  deliverable: '#1a7f37',
  undeliverable: '#cf222e',
  risky: '#9a6700',
  unknown: '#6e7781',
  offline: '#57606a',
  invalid: '#cf222e',
};

const GLYPHS: Record<IconState, string> = {
  idle: 'M10.2 8a2.2 2.2 0 1 1-4.4 0a2.2 2.2 0 1 1 4.4 0v.8c0 .9.6 1.4 1.3 1.4s1.3-.6 1.3-1.9A4.8 4.8 0 1 0 10 12',
  checking: 'M8 3.2A4.8 4.8 0 1 1 3.2 8',
  deliverable: 'M4.6 8.3l2.3 2.3 4.5-5',
  undeliverable: 'M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6',
  risky: 'M8 4.2v4.6M8 11.3v.3',
  unknown: 'M6.1 6.2a2 2 0 1 1 2.8 1.8c-.6.3-.9.7-.9 1.3v.3M8 11.4v.3',
  offline: 'M4.8 8h6.4',
  invalid: 'M8 4.2v4.6M8 11.3v.3',
};

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A 16×16 icon: a filled disc (a square for "invalid", an outline for "idle") and a glyph. */
export function createIcon(doc: Document, state: IconState, size: number): SVGSVGElement {
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const color = ICON_COLORS[state];
  const shape =
    state === 'invalid' ? doc.createElementNS(SVG_NS, 'rect') : doc.createElementNS(SVG_NS, 'circle');
  if (state === 'invalid') {
    shape.setAttribute('x', '1');
    shape.setAttribute('y', '1');
    shape.setAttribute('width', '14');
    shape.setAttribute('height', '14');
    shape.setAttribute('rx', '3.5');
  } else {
    shape.setAttribute('cx', '8');
    shape.setAttribute('cy', '8');
    shape.setAttribute('r', '7');
  }
  const outlined = state === 'idle' || state === 'offline';
  shape.setAttribute('fill', outlined ? '#ffffff' : color);
  shape.setAttribute('stroke', color);
  shape.setAttribute('stroke-width', '1.5');
  if (state === 'offline') shape.setAttribute('stroke-dasharray', '2.6 1.8');
  svg.append(shape);

  const glyph = doc.createElementNS(SVG_NS, 'path');
  glyph.setAttribute('d', GLYPHS[state]);
  glyph.setAttribute('fill', 'none');
  glyph.setAttribute('stroke', outlined ? color : '#ffffff');
  glyph.setAttribute('stroke-width', state === 'idle' ? '1.3' : '1.9');
  glyph.setAttribute('stroke-linecap', 'round');
  glyph.setAttribute('stroke-linejoin', 'round');
  if (state === 'checking') glyph.setAttribute('class', 'mp-spin');
  svg.append(glyph);
  return svg;
}
