import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startLinkedBackground } from '@/test-support/linked-background';
import { nobodyUndeliverable } from '@/test-support/scripted-daemon';
import { until, wait } from '@/test-support/until';
import { loadWebmailFixture } from '@/test-support/webmail-fixture';
import { genericAdapter } from './generic';
import { gmailAdapter } from './gmail';
import { WebmailEngine } from './webmail-engine';

/**
 * The webmail engine inside happy-dom, with the background's real service and port hub and a
 * WebSocket server speaking the daemon's protocol: recipients become marks and checks, removed
 * ones are dropped, the notice lists the bad ones, and on a page MailPing does not know a chip
 * is only checked when the person just acted in that compose window. (Placement needs a real
 * layout engine: tests/e2e checks it in Chromium.)
 */

const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  fakeBrowser.reset();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
});

/** Events the test hands in as the person's own (happy-dom's are all script-made). */
const byPerson = new WeakSet<Event>();

async function setup(options: { trustedHost: boolean; adapters: typeof genericAdapter[] }) {
  const { daemon, link, stop } = await startLinkedBackground(nobodyUndeliverable());
  cleanups.push(stop);
  const hovers: (string | null)[] = [];
  const engine = new WebmailEngine({
    doc: document,
    link,
    adapters: () => options.adapters,
    trustedHost: options.trustedHost,
    openOptions: () => {},
    reportHover: (address) => hovers.push(address),
    schedule: (work) => setTimeout(work, 0),
    isTrusted: (e) => byPerson.has(e),
    discoverEveryMs: 0,
  });
  cleanups.push(() => engine.stop());
  return { daemon, engine, hovers };
}

const marks = (engine: WebmailEngine) => [...engine.sessions.values()].flatMap((s) => [...s.marks.values()]);
const markFor = (engine: WebmailEngine, address: string) => marks(engine).find((m) => m.address === address);

describe('on a webmail’s own host (Gmail)', () => {
  it('checks every recipient as its chip appears, lists the bad ones, and drops removed ones', async () => {
    const fixture = loadWebmailFixture('gmail.html');
    const { daemon, engine } = await setup({ trustedHost: true, adapters: [gmailAdapter, genericAdapter] });
    engine.start();
    expect(engine.sessions.size).toBe(2);
    expect(engine.adapterName).toBe('Gmail');
    // The reply's own recipient (rendered a moment after load) and one the person adds.
    fixture.addChip('to', 'nobody@valid.test', 'Nobody Here');
    await until(() => markFor(engine, 'alice@valid.test')?.state.verdict === 'deliverable');
    await until(() => markFor(engine, 'nobody@valid.test')?.state.verdict === 'undeliverable');
    expect(daemon.verifies.map((v) => v.address).sort()).toEqual(['alice@valid.test', 'nobody@valid.test']);
    const mark = markFor(engine, 'nobody@valid.test')!;
    expect(mark.element.host.dataset.verdict).toBe('undeliverable');
    expect(mark.element.host.getAttribute('aria-label')).toBe('MailPing, recipient nobody@valid.test: Undeliverable. Show details.');
    const compose = [...engine.sessions.values()].find((s) => s.root.contains(document.getElementById('to')))!;
    await until(() => compose.notice.entries.length === 1);
    expect(compose.notice.entries[0]).toMatchObject({ address: 'nobody@valid.test', kind: 'to', reason: 'mailbox does not exist' });
    // The recipient inputs belong to the marks, not to the inline badges.
    expect(engine.isRecipientEntry(document.getElementById('to')!)).toBe(true);
    expect(engine.isRecipientEntry(document.getElementById('subject')!)).toBe(false);

    fixture.removeChip('to', 'nobody@valid.test');
    await until(() => markFor(engine, 'nobody@valid.test') === undefined);
    await until(() => compose.notice.entries.length === 0);
    expect(mark.element.host.isConnected).toBe(false);
  });

  it('keeps a mark and its check when the webmail re-renders the chip', async () => {
    const fixture = loadWebmailFixture('gmail.html');
    const { daemon, engine } = await setup({ trustedHost: true, adapters: [gmailAdapter, genericAdapter] });
    engine.start();
    fixture.addChip('to', 'bob@valid.test');
    await until(() => markFor(engine, 'bob@valid.test')?.state.verdict === 'deliverable');
    const before = markFor(engine, 'bob@valid.test');
    // The same recipient, a new element (frameworks re-render).
    const chip = document.querySelector('#to-list .agh')!;
    chip.replaceWith(chip.cloneNode(true));
    await wait(30);
    expect(markFor(engine, 'bob@valid.test')).toBe(before);
    expect(daemon.verifies.filter((v) => v.address === 'bob@valid.test')).toHaveLength(1);
  });

  it('drops everything when stopped (the site silenced, or webmail checks switched off)', async () => {
    const fixture = loadWebmailFixture('gmail.html');
    const { engine } = await setup({ trustedHost: true, adapters: [gmailAdapter, genericAdapter] });
    engine.start();
    fixture.addChip('to', 'bob@valid.test');
    await until(() => markFor(engine, 'bob@valid.test') !== undefined);
    engine.stop();
    expect(engine.sessions.size).toBe(0);
    expect(document.querySelector('mailping-mark, mailping-notice')).toBeNull();
  });
});

describe('on a page MailPing does not know (Roundcube, the generic adapter)', () => {
  it('never checks a chip the page added by itself; checks one right after the person acted there', async () => {
    const fixture = loadWebmailFixture('roundcube-compose.html');
    const { daemon, engine } = await setup({ trustedHost: false, adapters: [genericAdapter] });
    engine.start();
    expect(engine.sessions.size).toBe(1);
    fixture.addChip('to', 'target@valid.test');
    await until(() => markFor(engine, 'target@valid.test') !== undefined);
    await wait(50);
    expect(markFor(engine, 'target@valid.test')!.state.verdict).toBe('idle');
    expect(daemon.verifies).toHaveLength(0);

    // The person types in the To field; the chip that follows is theirs.
    const input = document.getElementById('to-input')!;
    const key = new KeyboardEvent('keydown', { key: 'a', bubbles: true });
    byPerson.add(key);
    input.dispatchEvent(key);
    fixture.addChip('to', 'nobody@valid.test');
    await until(() => markFor(engine, 'nobody@valid.test')?.state.verdict === 'undeliverable');
    expect(daemon.verifies.map((v) => v.address)).toEqual(['nobody@valid.test']);

    // A click on the unchecked mark is the person asking: now it is checked.
    const click = new MouseEvent('click', { bubbles: true });
    byPerson.add(click);
    markFor(engine, 'target@valid.test')!.element.host.dispatchEvent(click);
    await until(() => markFor(engine, 'target@valid.test')?.state.verdict === 'deliverable');
  });

  it('finds a compose window that opens later, and forgets it when it closes', async () => {
    const { engine } = await setup({ trustedHost: false, adapters: [genericAdapter] });
    engine.start();
    expect(engine.sessions.size).toBe(0);
    loadWebmailFixture('sogo.html');
    await until(() => engine.sessions.size === 1);
    expect(markFor(engine, 'alice@valid.test')?.state.verdict).toBe('idle');
    document.getElementById('compose')!.remove();
    await until(() => engine.sessions.size === 0);
  });
});
