import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import contentScript from './index';
import type { FieldKind } from './field-detection';
import { FieldWatcher } from './field-watcher';

/** Detection over time: late insertions, re-renders, shadow roots, frames, removals. */

let found: HTMLInputElement[];
let lost: HTMLInputElement[];
let batches: (() => void)[];
let watcher: FieldWatcher;

function startOn(doc: Document): FieldWatcher {
  const w = new FieldWatcher(
    doc,
    { found: (input: HTMLInputElement, _kind: FieldKind) => found.push(input), lost: (input) => lost.push(input) },
    (work) => batches.push(work),
  );
  w.start();
  return w;
}

/** Lets the MutationObserver deliver, then runs the batch it scheduled (one animation frame). */
async function nextFrame(): Promise<number> {
  await new Promise((r) => setTimeout(r, 0));
  const run = batches.splice(0);
  for (const work of run) work();
  return run.length;
}

beforeEach(() => {
  document.body.innerHTML = '';
  found = [];
  lost = [];
  batches = [];
});

afterEach(() => watcher?.stop());

describe('field watcher', () => {
  it('finds the fields present at start in one pass', () => {
    document.body.innerHTML = `
      <form><input type="email" id="a"><input name="city"><input type="text" name="user[email]" id="b"></form>`;
    watcher = startOn(document);
    expect(found.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('finds fields a single-page app inserts later, in one batch per frame', async () => {
    watcher = startOn(document);
    const root = document.createElement('div');
    document.body.append(root);
    for (let i = 0; i < 50; i++) {
      const row = document.createElement('div');
      row.innerHTML = `<label>Email of guest ${i}<input name="guest${i}"></label>`;
      root.append(row);
    }
    expect(found).toHaveLength(0);
    expect(await nextFrame()).toBe(1);
    expect(found).toHaveLength(50);
  });

  it('follows a React-style re-render that replaces the input element', async () => {
    document.body.innerHTML = '<div id="app"><input type="email" value="a@b.example" data-reactroot=""></div>';
    watcher = startOn(document);
    const first = found[0]!;
    const app = document.getElementById('app')!;
    app.innerHTML = '<input type="email" value="a@b.example" data-reactroot="">';
    await nextFrame();
    expect(lost).toEqual([first]);
    expect(found).toHaveLength(2);
    expect(found[1]).not.toBe(first);
    expect(found[1]!.isConnected).toBe(true);
  });

  it('notices when a field becomes an email field, or stops being one', async () => {
    document.body.innerHTML = '<input id="x" name="contact">';
    watcher = startOn(document);
    expect(found).toHaveLength(0);
    const input = document.getElementById('x') as HTMLInputElement;
    input.setAttribute('type', 'email');
    await nextFrame();
    expect(found).toEqual([input]);
    input.setAttribute('type', 'password');
    await nextFrame();
    expect(lost).toEqual([input]);
  });

  it('lets go of a field that becomes disabled or read-only (itself or by its fieldset), and takes it back', async () => {
    document.body.innerHTML = '<fieldset id="set"><input type="email" id="a"></fieldset><input type="email" id="b">';
    watcher = startOn(document);
    const a = document.getElementById('a') as HTMLInputElement;
    const b = document.getElementById('b') as HTMLInputElement;
    expect(found).toEqual([a, b]);
    document.getElementById('set')!.setAttribute('disabled', '');
    b.readOnly = true;
    await nextFrame();
    expect(lost).toEqual([a, b]);
    document.getElementById('set')!.removeAttribute('disabled');
    await nextFrame();
    expect(found).toEqual([a, b, a]);
  });

  it('looks inside open shadow roots, nested ones, and ones attached to elements inserted later', async () => {
    const host = document.createElement('x-signup');
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<input type="email" id="in-shadow"><x-inner></x-inner>';
    const inner = shadow.querySelector('x-inner')!.attachShadow({ mode: 'open' });
    inner.innerHTML = '<input autocomplete="email" id="nested">';
    document.body.append(host);
    watcher = startOn(document);
    expect(found.map((i) => i.id)).toEqual(['in-shadow', 'nested']);

    // A component rendered later, with its shadow root already attached when inserted.
    const late = document.createElement('x-newsletter');
    late.attachShadow({ mode: 'open' }).innerHTML = '<input type="email" id="late">';
    document.body.append(late);
    await nextFrame();
    expect(found.map((i) => i.id)).toContain('late');

    // A field the component adds to its own shadow root afterwards.
    const added = document.createElement('input');
    added.type = 'email';
    added.id = 'added-in-shadow';
    shadow.append(added);
    await nextFrame();
    expect(found.map((i) => i.id)).toContain('added-in-shadow');
  });

  it('ignores closed shadow roots (the page chose to hide them)', () => {
    const host = document.createElement('x-closed');
    host.attachShadow({ mode: 'closed' }).innerHTML = '<input type="email">';
    document.body.append(host);
    watcher = startOn(document);
    expect(found).toHaveLength(0);
  });

  it('never looks into MailPing’s own elements', async () => {
    watcher = startOn(document);
    const ours = document.createElement('mailping-badge');
    ours.attachShadow({ mode: 'open' }).innerHTML = '<input type="email">';
    document.documentElement.append(ours);
    await nextFrame();
    expect(found).toHaveLength(0);
    ours.remove();
  });

  it('reports removed fields, and only those', async () => {
    document.body.innerHTML = '<input type="email" id="keep"><div id="box"><input type="email" id="drop"></div>';
    watcher = startOn(document);
    document.getElementById('box')!.remove();
    await nextFrame();
    expect(lost.map((i) => i.id)).toEqual(['drop']);
    expect([...watcher.fields.keys()].map((i) => i.id)).toEqual(['keep']);
  });

  it('works on a same-origin iframe document (each frame runs its own copy)', () => {
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const frameDoc = frame.contentDocument!;
    frameDoc.body.innerHTML = '<form><input type="email" id="in-frame"></form>';
    watcher = startOn(frameDoc);
    expect(found.map((i) => i.id)).toEqual(['in-frame']);
  });

  it('is declared for every frame, about:blank frames included', () => {
    expect(contentScript.allFrames).toBe(true);
    expect(contentScript.matchAboutBlank).toBe(true);
    expect(contentScript.matches).toEqual(['<all_urls>']);
  });
});
