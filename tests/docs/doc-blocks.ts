/**
 * The fenced code blocks of a Markdown page and the `doc-test` marker each one carries, so a test
 * can run what a newcomer would paste. A marker is an HTML comment (invisible on GitHub) on the
 * line before the fence:
 *
 *   <!-- doc-test: invite -->                         run by the test under this name
 *   <!-- doc-test: systemd-unit skip: needs systemd --> never run, and the reason why
 *
 * Pure: text in, blocks out. Fences may be indented (a block inside a list item); the indent is
 * taken off the body.
 */
export interface DocBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  body: string;
  /** The nearest `##`/`###` heading above the block. */
  heading: string;
  marker: { name: string; skip: string | null } | null;
}

const MARKER = /^\s*<!--\s*doc-test:\s*([\w-]+)(?:\s+skip:\s*(.*?))?\s*-->\s*$/;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;

export function docBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (/^#{1,6}\s/.test(text)) heading = text.replace(/^#+\s*/, '').trim();
    const open = FENCE.exec(text);
    if (!open) continue;
    const [, indent = '', fence = '', lang = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j]!.trim().startsWith(fence) && lines[j]!.trim().replace(/[`~]/g, '') === ''); j++) {
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart());
    }
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marked = k >= 0 ? MARKER.exec(lines[k]!) : null;
    blocks.push({
      line: i + 1,
      lang,
      body: `${body.join('\n')}\n`,
      heading,
      marker: marked ? { name: marked[1]!, skip: marked[2] === undefined ? null : marked[2] } : null,
    });
    i = j;
  }
  return blocks;
}
