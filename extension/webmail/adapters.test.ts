import { wait } from '@/test-support/until';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWebmailFixture } from '@/test-support/webmail-fixture';
import type { RecipientField, WebmailAdapter } from './adapter';
import { fastmailAdapter } from './fastmail';
import { genericAdapter } from './generic';
import { gmailAdapter } from './gmail';
import { outlookAdapter } from './outlook';
import { protonAdapter } from './proton';
import { yahooAdapter } from './yahoo';

/**
 * Each adapter on its webmail's fixture page (the pages the end-to-end suite serves at the real
 * URLs): compose windows found, To/Cc/Bcc fields told apart, committed recipients read with
 * their addresses (and what is being typed left out), removed ones gone, a typo fixed the way
 * the webmail accepts it, and the addresses of the opened message found under the pointer.
 * The generic adapter is run on every chip-based fixture too: it needs no site knowledge.
 */

afterEach(() => {
  document.head.innerHTML = '';
  document.body.innerHTML = '';
});

function recipients(adapter: WebmailAdapter, compose: Element): string[] {
  return adapter.recipientFields(compose).flatMap((field) => adapter.recipientTokens(field).map((t) => `${t.kind}:${t.address}`));
}

function field(adapter: WebmailAdapter, compose: Element, kind: string): RecipientField {
  const found = adapter.recipientFields(compose).find((f) => f.kind === kind);
  if (!found) throw new Error(`no ${kind} field`);
  return found;
}

interface Case {
  fixture: string;
  adapter: WebmailAdapter;
  host: string;
  /** The compose window the chips go to (its To field is named 'to' by the fixture). */
  compose: string;
  composeCount: number;
  kinds: string[];
  sender: string;
  recipient: string;
  /** The chips the page starts with, in the compose window under test. */
  initial?: string[];
}

const CASES: Case[] = [
  { fixture: 'gmail.html', adapter: gmailAdapter, host: 'mail.google.com', compose: '#compose-dialog', composeCount: 2, kinds: ['to', 'cc', 'bcc'], sender: '#sender', recipient: '#recipient-nobody' },
  { fixture: 'gmail-popout.html', adapter: gmailAdapter, host: 'mail.google.com', compose: '[data-compose-id]', composeCount: 1, kinds: ['to'], sender: '', recipient: '' },
  { fixture: 'outlook.html', adapter: outlookAdapter, host: 'outlook.office.com', compose: '#compose', composeCount: 1, kinds: ['to', 'cc', 'bcc'], sender: '#sender', recipient: '#recipient-nobody', initial: ['to:alice@valid.test'] },
  { fixture: 'yahoo.html', adapter: yahooAdapter, host: 'mail.yahoo.com', compose: '#compose', composeCount: 1, kinds: ['to', 'cc', 'bcc'], sender: '#sender', recipient: '#recipient-nobody' },
  { fixture: 'proton.html', adapter: protonAdapter, host: 'mail.proton.me', compose: '#composer', composeCount: 1, kinds: ['to', 'cc', 'bcc'], sender: '#sender', recipient: '#recipient-nobody' },
];

describe.each(CASES)('$adapter.name on $fixture', (c) => {
  it('is meant for its host only', () => {
    expect(c.adapter.matches({ hostname: c.host })).toBe(true);
    expect(c.adapter.matches({ hostname: 'evil.example' })).toBe(false);
  });

  it('finds the compose windows and their fields', async () => {
    loadWebmailFixture(c.fixture);
    await wait(60);
    const windows = c.adapter.composeWindows(document);
    expect(windows).toHaveLength(c.composeCount);
    const compose = document.querySelector(c.compose)!;
    const root = windows.find((w) => w === compose || w.contains(compose) || compose.contains(w))!;
    expect(root).toBeDefined();
    expect(c.adapter.recipientFields(root).map((f) => f.kind)).toEqual(c.kinds);
    expect(recipients(c.adapter, root)).toEqual(c.initial ?? []);
  });

  it('reads the committed recipients, not the one being typed, and forgets removed ones', async () => {
    const fixture = loadWebmailFixture(c.fixture);
    await wait(60);
    const root = c.adapter.composeWindows(document).find((w) => w.contains(document.querySelector(c.compose)!) || document.querySelector(c.compose)!.contains(w))!;
    const to = field(c.adapter, root, 'to');
    (to.entry as HTMLInputElement).value = 'typing@valid.te';
    fixture.addChip('to', 'nobody@valid.test', 'Nobody Here');
    if (c.kinds.includes('cc')) fixture.addChip('cc', 'x@catchall.test');
    const before = c.initial ?? [];
    expect(recipients(c.adapter, root)).toEqual([...before, 'to:nobody@valid.test', ...(c.kinds.includes('cc') ? ['cc:x@catchall.test'] : [])]);
    fixture.removeChip('to', 'nobody@valid.test');
    expect(recipients(c.adapter, root)).not.toContain('to:nobody@valid.test');
  });

  it('finds the addresses of the opened message under the pointer', () => {
    if (!c.sender) return;
    loadWebmailFixture(c.fixture);
    const sender = document.querySelector(c.sender)!;
    expect(c.adapter.messageAddressAt(sender.firstElementChild ?? sender)?.address).toBe('alice@valid.test');
    expect(c.adapter.messageAddressAt(document.querySelector(c.recipient)!)?.address).toBe('nobody@valid.test');
    // Nothing in a compose field counts as a message address.
    const entry = c.adapter.recipientFields(c.adapter.composeWindows(document)[0]!)[0]!.entry!;
    expect(c.adapter.messageAddressAt(entry)).toBeNull();
  });
});

describe('typo fixes, done the way each webmail accepts them', () => {
  it.each([
    ['gmail.html', gmailAdapter, '#compose-dialog'],
    ['yahoo.html', yahooAdapter, '#compose'],
    ['proton.html', protonAdapter, '#composer'],
    ['roundcube-compose.html', genericAdapter, '#compose-headers'],
    ['sogo.html', genericAdapter, '#compose'],
  ] as const)('%s: removes the chip and enters the corrected address', async (name, adapter, compose) => {
    const fixture = loadWebmailFixture(name);
    await wait(60);
    fixture.addChip('to', 'carol@gmial.com');
    const root = adapter.composeWindows(document).find((w) => w.contains(document.querySelector(compose)!) || document.querySelector(compose)!.contains(w))!;
    const to = field(adapter, root, 'to');
    const token = adapter.recipientTokens(to).find((t) => t.address === 'carol@gmial.com')!;
    expect(adapter.replaceRecipient?.(to, token, 'carol@gmail.com')).toBe(true);
    expect(fixture.chips('to')).toContain('carol@gmail.com');
    expect(fixture.chips('to')).not.toContain('carol@gmial.com');
  });

  it('Outlook: no safe way (no × control documented): the engine copies instead', () => {
    expect(outlookAdapter.replaceRecipient).toBeUndefined();
  });
});

describe('Fastmail (recipients as text)', () => {
  it('reads the committed entries of the text fields, and where each ends', () => {
    loadWebmailFixture('fastmail.html');
    const [compose] = fastmailAdapter.composeWindows(document);
    expect(compose).toBe(document.getElementById('compose'));
    const fields = fastmailAdapter.recipientFields(compose!);
    expect(fields.map((f) => f.kind)).toEqual(['to', 'cc', 'bcc']);
    const to = fields[0]!.entry as HTMLTextAreaElement;
    to.value = 'Nobody <nobody@valid.test>, x@catchall.test, carol@valid.test';
    to.focus();
    // "carol@valid.test" is still being typed (no separator yet, the focus is in the field).
    const tokens = fastmailAdapter.recipientTokens(fields[0]!);
    expect(tokens.map((t) => [t.address, t.textEnd])).toEqual([
      ['nobody@valid.test', 26],
      ['x@catchall.test', 43],
    ]);
    // Leaving the field commits the last entry too.
    (document.getElementById('v31-subject-input') as HTMLInputElement).focus();
    expect(fastmailAdapter.recipientTokens(fields[0]!).map((t) => t.address)).toEqual(['nobody@valid.test', 'x@catchall.test', 'carol@valid.test']);
  });

  it('fixes a typo in the text itself', () => {
    loadWebmailFixture('fastmail.html');
    const [compose] = fastmailAdapter.composeWindows(document);
    const to = fastmailAdapter.recipientFields(compose!)[0]!;
    (to.entry as HTMLTextAreaElement).value = 'Hal <hal@fastmial.com>, bob@valid.test';
    const token = fastmailAdapter.recipientTokens(to)[0]!;
    expect(fastmailAdapter.replaceRecipient?.(to, token, 'hal@fastmail.com')).toBe(true);
    expect((to.entry as HTMLTextAreaElement).value).toBe('Hal <hal@fastmail.com>, bob@valid.test');
  });

  it('finds the opened message’s addresses in its header only', () => {
    loadWebmailFixture('fastmail.html');
    expect(fastmailAdapter.messageAddressAt(document.getElementById('sender')!)?.address).toBe('alice@valid.test');
    expect(fastmailAdapter.messageAddressAt(document.querySelector('textarea')!)).toBeNull();
  });
});

describe('the generic adapter (no site knowledge)', () => {
  it.each([
    ['roundcube-compose.html', '#compose-headers', ['to', 'cc', 'bcc']],
    ['sogo.html', '#compose', ['to', 'cc', 'bcc']],
    ['gmail.html', '#compose-dialog', ['to', 'cc', 'bcc']],
    ['outlook.html', '#compose', ['to', 'cc', 'bcc']],
    ['yahoo.html', '#compose', ['to', 'cc', 'bcc']],
    ['proton.html', '#composer', ['to', 'cc', 'bcc']],
  ] as const)('%s: finds the compose window, its labelled fields and its chips', async (name, compose, kinds) => {
    const fixture = loadWebmailFixture(name);
    await wait(60);
    const target = document.querySelector(compose)!;
    const root = genericAdapter.composeWindows(document).find((w) => w === target || w.contains(target) || target.contains(w));
    expect(root).toBeDefined();
    expect(genericAdapter.recipientFields(root!).map((f) => f.kind)).toEqual(kinds);
    fixture.addChip('to', 'nobody@valid.test', 'Nobody Here');
    fixture.addChip('to', 'bob@valid.test');
    fixture.addChip('cc', 'x@catchall.test', 'X');
    const found = recipients(genericAdapter, root!);
    expect(found).toEqual(expect.arrayContaining(['to:nobody@valid.test', 'to:bob@valid.test', 'cc:x@catchall.test']));
    // Each chip counts once, and nothing outside the fields (a quoted address in the body) does.
    expect(found.filter((r) => r === 'to:nobody@valid.test')).toHaveLength(1);
    fixture.removeChip('to', 'bob@valid.test');
    expect(recipients(genericAdapter, root!)).not.toContain('to:bob@valid.test');
  });

  it('keeps the chips that came with a SOGo reply, and never reads the quoted body', () => {
    loadWebmailFixture('sogo.html');
    const [root] = genericAdapter.composeWindows(document);
    expect(recipients(genericAdapter, root!)).toEqual(['to:alice@valid.test']);
  });

  it('finds no compose window on a page that has none (a sign-up form, a search box, a date range)', () => {
    document.body.innerHTML = `
      <form><label>Email <input type="email" name="email"></label><label>To <input name="to" type="date"></label>
      <label>From <input name="from"></label><input name="q" placeholder="Search"><textarea name="comment" rows="5"></textarea></form>`;
    expect(genericAdapter.composeWindows(document)).toEqual([]);
  });

  it('finds message addresses in links and attributes (Roundcube headers)', () => {
    loadWebmailFixture('roundcube-message.html');
    expect(genericAdapter.messageAddressAt(document.getElementById('sender')!)?.address).toBe('alice@valid.test');
    expect(genericAdapter.messageAddressAt(document.getElementById('recipient-nobody')!)?.address).toBe('nobody@valid.test');
  });
});

describe('the Send control of each compose window (the warning before a bounce waits there)', () => {
  const SENDS: { fixture: string; adapter: WebmailAdapter; compose: string; send: string; ctrlEnter: boolean }[] = [
    { fixture: 'gmail.html', adapter: gmailAdapter, compose: '#compose-dialog', send: '#send', ctrlEnter: true },
    { fixture: 'gmail.html', adapter: gmailAdapter, compose: '#inline-reply', send: '#reply-send', ctrlEnter: true },
    { fixture: 'outlook.html', adapter: outlookAdapter, compose: '#compose', send: '#splitButton-r3a__primaryActionButton', ctrlEnter: true },
    { fixture: 'yahoo.html', adapter: yahooAdapter, compose: '#compose', send: '[data-test-id="compose-send-button"]', ctrlEnter: true },
    { fixture: 'proton.html', adapter: protonAdapter, compose: '#composer', send: '[data-testid="composer:send-button"]', ctrlEnter: true },
    { fixture: 'fastmail.html', adapter: fastmailAdapter, compose: '#compose', send: '#compose .send', ctrlEnter: true },
    // Roundcube's Send is in the toolbar beside the form; neither it nor SOGo's says Ctrl+Enter sends.
    { fixture: 'roundcube-compose.html', adapter: genericAdapter, compose: '#compose-form', send: '.header a.send', ctrlEnter: false },
    { fixture: 'sogo.html', adapter: genericAdapter, compose: '#compose', send: '#send', ctrlEnter: false },
    // The generic adapter on Gmail: the Send control is found by its label, its tooltip names the shortcut.
    { fixture: 'gmail.html', adapter: genericAdapter, compose: '#compose-dialog', send: '#send', ctrlEnter: true },
  ];

  it.each(SENDS)('$adapter.name finds $send in $compose of $fixture', async (c) => {
    loadWebmailFixture(c.fixture);
    await wait(60);
    const compose = document.querySelector(c.compose)!;
    const root = c.adapter.composeWindows(document).find((w) => w === compose || w.contains(compose) || compose.contains(w))!;
    expect(root).toBeDefined();
    expect(c.adapter.sendControls?.(root)).toEqual([document.querySelector(c.send)]);
    expect(c.adapter.sendsOnCtrlEnter(root)).toBe(c.ctrlEnter);
  });
});
