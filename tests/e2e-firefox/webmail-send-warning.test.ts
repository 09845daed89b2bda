/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../e2e/support/send-warning';
import { startFirefoxSuite, type FirefoxSuite } from './support/firefox-suite';
import { countNow, typeRecipient } from './support/page-reading';
import { CONFIRM_FIX, SEND_ANYWAY, confirmLines, confirmShown, pressCtrlEnter, sendsOf } from './support/send-warning';
import { chipsOf, expectVerdict, markSelector, openWebmail } from './support/webmail';

/**
 * The warning before a Send that would bounce, in Firefox (tests/e2e/webmail-send-warning.test.ts
 * is the Chromium side), on every adapter's fixture: each fixture's Send control (and shortcut)
 * runs the page's own send handler, which records that it ran. With a recipient that does not
 * exist the person's press never reaches the page: a confirm names the recipient and the
 * server's code; "Send anyway" runs the page's handler once, Escape runs nothing. With fine
 * recipients the press reaches the page at once.
 */

interface Webmail {
  name: string;
  origin: string;
  pages: Record<string, string>;
  url: string;
  add(page: Page, address: string): Promise<void>;
  remove(page: Page, address: string): Promise<void>;
  send: string;
  /** Where a keyboard Send starts: Ctrl+Enter in this field, or Enter on the Send control. */
  keyboard: { shortcutIn: string } | { enterOnSend: true };
}

const removeChip = (field: string) => (page: Page, address: string) =>
  page.evaluate((f, a) => (window as unknown as { fixture: { removeChip(f: string, a: string): void } }).fixture.removeChip(f, a), field, address);

/** Replaces a plain input's text as a person would: select all, type over it. */
async function retype(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  if (text === '') await page.keyboard.press('Backspace');
  else await page.type(selector, text, { delay: 5 });
}

const WEBMAILS: Webmail[] = [
  {
    name: 'Gmail',
    origin: 'https://mail.google.com',
    pages: { '/mail/u/0/': 'gmail.html' },
    url: 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk',
    add: (page, address) => typeRecipient(page, '#to', address),
    remove: removeChip('to'),
    send: '#send',
    keyboard: { shortcutIn: '#subject' },
  },
  {
    name: 'Outlook',
    origin: 'https://outlook.live.com',
    pages: { '/mail/': 'outlook.html' },
    url: 'https://outlook.live.com/mail/0/inbox/id/AQQkADAwATNiZmYAZS1hZmQz',
    async add(page, address) {
      await page.click('#to');
      // Firefox leaves a click on the empty end of this well (after a contenteditable=false
      // chip) without a caret, so End alone would type nowhere: the caret goes to the end first.
      await page.$eval('#to', (well) => {
        const range = document.createRange();
        range.selectNodeContents(well);
        range.collapse(false);
        getSelection()!.removeAllRanges();
        getSelection()!.addRange(range);
      });
      await page.keyboard.type(address, { delay: 10 });
      await page.keyboard.press(';');
    },
    remove: removeChip('to'),
    send: '#splitButton-r3a__primaryActionButton',
    keyboard: { shortcutIn: 'input[aria-label="Subject"]' },
  },
  {
    name: 'Yahoo Mail',
    origin: 'https://mail.yahoo.com',
    pages: { '/d/': 'yahoo.html' },
    url: 'https://mail.yahoo.com/d/folders/1/messages/42',
    add: (page, address) => typeRecipient(page, '#message-to-field', address, ','),
    remove: removeChip('to'),
    send: '[data-test-id="compose-send-button"]',
    keyboard: { shortcutIn: '[data-test-id="compose-subject"]' },
  },
  {
    name: 'Proton Mail',
    origin: 'https://mail.proton.me',
    pages: { '/u/': 'proton.html' },
    url: 'https://mail.proton.me/u/0/inbox/Qx9kT2',
    add: (page, address) => typeRecipient(page, '#to-composer-1', address),
    remove: removeChip('to'),
    send: '[data-testid="composer:send-button"]',
    keyboard: { shortcutIn: '#subject-composer-1' },
  },
  {
    name: 'Fastmail',
    origin: 'https://app.fastmail.com',
    pages: { '/mail/': 'fastmail.html' },
    url: 'https://app.fastmail.com/mail/Inbox/Tb7c1f0a9',
    async add(page, address) {
      const value = await page.$eval('#v31-to-input', (el) => (el as HTMLInputElement).value);
      await page.click('#v31-to-input');
      await page.keyboard.press('End');
      await page.type('#v31-to-input', `${value.trim() === '' || value.trim().endsWith(',') ? '' : ', '}${address}, `, { delay: 5 });
    },
    async remove(page, address) {
      const rest = (await page.$eval('#v31-to-input', (el) => (el as HTMLInputElement).value))
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && s !== address);
      await retype(page, '#v31-to-input', rest.length > 0 ? `${rest.join(', ')}, ` : '');
    },
    send: '#compose .send',
    keyboard: { shortcutIn: '#v31-subject-input' },
  },
  {
    name: 'Roundcube (generic adapter)',
    origin: 'https://webmail.example.org',
    pages: { '/?_task=mail&_action=compose': 'roundcube-compose.html' },
    url: 'https://webmail.example.org/?_task=mail&_action=compose&_id=3f2a',
    add: (page, address) => typeRecipient(page, '#to-input', address, ','),
    remove: removeChip('to'),
    send: '.header a.send',
    keyboard: { enterOnSend: true },
  },
  {
    name: 'SOGo (generic adapter)',
    origin: 'https://groupware.example.net',
    pages: { '/SOGo/': 'sogo.html' },
    url: 'https://groupware.example.net/SOGo/so/me/Mail/view',
    add: (page, address) => typeRecipient(page, '#to-input', address),
    remove: removeChip('to'),
    send: '#send',
    keyboard: { enterOnSend: true },
  },
];

let suite: FirefoxSuite;

beforeAll(async () => {
  suite = await startFirefoxSuite();
});

afterAll(() => suite?.stop());

for (const webmail of WEBMAILS) {
  describe(`${webmail.name} in Firefox: the warning before a Send that would bounce`, () => {
    let page: Page;
    beforeAll(async () => {
      page = await openWebmail(suite, webmail.url, { [webmail.origin]: webmail.pages });
    });
    afterAll(() => page?.close());

    it('lets a Send with deliverable recipients through at once, with no confirm', async () => {
      await webmail.add(page, 'bob@valid.test');
      await expectVerdict(page, 'bob@valid.test', 'deliverable', 'to');
      await page.click(webmail.send);
      expect(await sendsOf(page)).toEqual([expect.objectContaining({ via: 'click', trusted: true })]);
      expect(await countNow(page, 'mailping-send-confirm')).toBe(0);
    });

    it('stops a Send to a mailbox that does not exist, and sends once on "Send anyway"', async () => {
      await webmail.add(page, 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
      await page.click(webmail.send);
      await expect.poll(() => confirmShown(page)).toBe(true);
      expect(await confirmLines(page)).toEqual(['nobody@valid.test does not exist (550 5.1.1).']);
      await settle();
      expect(await sendsOf(page)).toHaveLength(1);
      await page.locator(SEND_ANYWAY).click();
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(2);
      // The page's own handler ran on MailPing's replay of the press.
      expect((await sendsOf(page))[1]).toMatchObject({ via: 'click', trusted: false });
      expect(await confirmShown(page)).toBe(false);
    });

    it('stops the keyboard Send too; Escape goes back without sending', async () => {
      const { keyboard } = webmail;
      if ('shortcutIn' in keyboard) {
        await page.click(keyboard.shortcutIn);
        await pressCtrlEnter(page);
      } else {
        await page.focus(webmail.send);
        await page.keyboard.press('Enter');
      }
      await expect.poll(() => confirmShown(page)).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.localName)).toBe('mailping-send-confirm');
      await page.keyboard.press('Escape');
      await expect.poll(() => confirmShown(page)).toBe(false);
      await settle();
      expect(await sendsOf(page)).toHaveLength(2);
      const back = 'shortcutIn' in keyboard ? keyboard.shortcutIn : webmail.send;
      expect(await page.$eval(back, (el) => el === document.activeElement)).toBe(true);
    });

    it('sends without a word once the bad recipient is gone', async () => {
      await webmail.remove(page, 'nobody@valid.test');
      await expect.poll(() => countNow(page, markSelector('nobody@valid.test'))).toBe(0);
      await page.click(webmail.send);
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(3);
      expect(await confirmShown(page)).toBe(false);
    });
  });
}

describe('Gmail in Firefox: what never holds up a Send, and the one-click fix', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openWebmail(suite, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk', { 'https://mail.google.com': { '/mail/u/0/': 'gmail.html' } });
  });
  afterAll(() => page?.close());

  it('lets risky recipients and ones still being checked through', async () => {
    await typeRecipient(page, '#to', 'anyone@catchall.test');
    await expectVerdict(page, 'anyone@catchall.test', 'risky', 'to');
    // The lab's silent server never answers: this check stays open for many seconds.
    await typeRecipient(page, '#to', 'alice@silent.test');
    await expectVerdict(page, 'alice@silent.test', 'checking', 'to');
    await page.click('#send');
    expect(await sendsOf(page)).toEqual([expect.objectContaining({ via: 'click', trusted: true })]);
    await page.click('#subject');
    await pressCtrlEnter(page);
    expect((await sendsOf(page))[1]).toMatchObject({ via: 'shortcut', trusted: true });
    expect(await countNow(page, 'mailping-send-confirm')).toBe(0);
  });

  it('fixes a typo from the confirm in one click, without sending', async () => {
    await typeRecipient(page, '#to', 'carol@gmial.com');
    await expect.poll(() => countNow(page, markSelector('carol@gmial.com'))).toBe(1);
    await page.click('#send');
    await expect.poll(() => confirmShown(page)).toBe(true);
    expect(await confirmLines(page)).toEqual([expect.stringMatching(/^carol@gmial\.com .*Did you mean carol@gmail\.com\?$/)]);
    await page.locator(CONFIRM_FIX).click();
    await expect.poll(() => chipsOf(page, 'to')).toEqual(expect.arrayContaining(['carol@gmail.com']));
    expect(await chipsOf(page, 'to')).not.toContain('carol@gmial.com');
    expect(await confirmShown(page)).toBe(false);
    await settle();
    expect(await sendsOf(page)).toHaveLength(2);
    await expectVerdict(page, 'carol@gmail.com', 'unknown', 'to');
    await page.click('#send');
    await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(3);
  });

  it('asks nothing when the warning is switched off in the options', async () => {
    const options = await suite.firefox.extensionPage('options.html');
    const checked = () => options.$eval('#warn-before-send', (el) => (el as HTMLInputElement).checked);
    try {
      await expect.poll(checked).toBe(true);
      await options.click('#warn-before-send');
      await expect.poll(checked).toBe(false);
      await typeRecipient(page, '#to', 'nobody@valid.test');
      await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
      await page.click('#send');
      await expect.poll(() => sendsOf(page).then((s) => s.length)).toBe(4);
      expect(await confirmShown(page)).toBe(false);
      await options.click('#warn-before-send');
      await expect.poll(checked).toBe(true);
      await settle(500);
      await page.bringToFront();
      await page.click('#send');
      await expect.poll(() => confirmShown(page)).toBe(true);
      await settle();
      expect(await sendsOf(page)).toHaveLength(4);
    } finally {
      await options.close();
    }
  });
});
