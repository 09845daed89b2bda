import { beforeEach, describe, expect, it } from 'vitest';
import { collectPageAddresses, collectWithFrames, mergeAddressLists } from './page-addresses';

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('the addresses a page shows', () => {
  it('finds them in text and mailto: links, once each, with where they appear', () => {
    document.body.innerHTML = `
      <p>Sales: <b>sales@example.com</b>. Support: support@example.com, or <a href="mailto:support@example.com?subject=Help">write to us</a>.</p>
      <a href="MAILTO:alice@example.com,bob@example.com">both</a>
      <script>const fake = "script@example.com";</script>
      <style>/* style@example.com */</style>
      <textarea>typed@example.com</textarea>
      <p>Not one: user@localhost, @handle, name@ .</p>`;
    const { addresses, truncated } = collectPageAddresses(100, document);
    expect(truncated).toBe(false);
    expect(addresses).toEqual([
      { address: 'support@example.com', sources: ['mailto', 'text'] },
      { address: 'alice@example.com', sources: ['mailto'] },
      { address: 'bob@example.com', sources: ['mailto'] },
      { address: 'sales@example.com', sources: ['text'] },
    ]);
  });

  it('stops at the limit and says so', () => {
    document.body.innerHTML = Array.from({ length: 30 }, (_, i) => `<p>user${i}@example.com</p>`).join('');
    const { addresses, truncated } = collectPageAddresses(10, document);
    expect(addresses).toHaveLength(10);
    expect(truncated).toBe(true);
  });

  it('is self-contained, as scripting.executeScript needs (it sends the source text only)', () => {
    // Re-create the function from its source, as the browser does in the page.
    const rebuilt = new Function(`return (${collectPageAddresses.toString()})`)() as typeof collectPageAddresses;
    document.body.innerHTML = '<p>x@example.com</p>';
    expect(rebuilt(5, document).addresses).toEqual([{ address: 'x@example.com', sources: ['text'] }]);
  });

  it('merges what the frames of a tab report, and drops malformed answers', () => {
    const merged = mergeAddressLists(
      [
        { addresses: [{ address: 'a@example.com', sources: ['text'] }], truncated: false },
        { addresses: [{ address: 'A@example.com', sources: ['mailto'] }, { address: 42, sources: [] }], truncated: false },
        'garbage',
        undefined,
        { addresses: [{ address: 'b@example.com', sources: ['text', 'evil'] }], truncated: true },
      ],
      10,
    );
    expect(merged).toEqual({
      addresses: [
        { address: 'a@example.com', sources: ['text', 'mailto'] },
        { address: 'b@example.com', sources: ['text'] },
      ],
      truncated: true,
    });
  });

  it('reads same-origin frames from the top frame', async () => {
    document.body.innerHTML = '<p>top@example.com</p><iframe id="f"></iframe>';
    const frame = document.getElementById('f') as HTMLIFrameElement;
    frame.contentDocument!.body.innerHTML = '<a href="mailto:inner@example.com">x</a><p>top@example.com</p>';
    expect(collectWithFrames(10, document)).toEqual({
      addresses: [
        { address: 'top@example.com', sources: ['text'] },
        { address: 'inner@example.com', sources: ['mailto'] },
      ],
      truncated: false,
    });
  });
});
