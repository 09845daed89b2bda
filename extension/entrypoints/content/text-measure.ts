/**
 * How wide a field's text is, drawn in the field's own font, so the badge can stay clear of it.
 * One canvas per document, reused.
 */
let context: CanvasRenderingContext2D | null | undefined;

export function measureFieldText(field: HTMLInputElement, style: CSSStyleDeclaration): number | null {
  const text = field.value !== '' ? field.value : field.placeholder;
  if (text === '') return 0;
  if (context === undefined) context = field.ownerDocument.createElement('canvas').getContext('2d');
  if (!context) return null;
  context.font = style.font || `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const spacing = Number.parseFloat(style.letterSpacing);
  const width = context.measureText(text).width + (Number.isFinite(spacing) ? spacing * text.length : 0);
  return Number.isFinite(width) ? width : null;
}
