/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menuAddress } from './support/context-menu';
import { startFirefoxSuite, type FirefoxSuite } from './support/firefox-suite';
import { attributeNow, countNow, typeRecipient } from './support/page-reading';
import { addChipByScript, chipsOf, expectVerdict, hoverSender, markSelector, noticeAddresses, noticeFix, noticeRows, openWebmail, pasteInto, verdictOf } from './support/webmail';

/**
 * The generic adapter in Firefox (tests/e2e/webmail-generic.test.ts is the Chromium side), on
 * two webmails MailPing has no adapter for, served at hosts of their own: Roundcube (a compose
 * page and a message page) and SOGo (an AngularJS Material compose dialog). On a host MailPing
 * does not know, only recipients the person added get checked.
 */

const SERVED = {
  'https://webmail.example.org': { '/?_task=mail&_action=compose': 'roundcube-compose.html', '/?_task=mail&_action=show': 'roundcube-message.html' },
  'https://groupware.example.net': { '/SOGo/': 'sogo.html' },
};

let suite: FirefoxSuite;

beforeAll(async () => {
  suite = await startFirefoxSuite();
});

afterAll(() => suite?.stop());

describe('Roundcube (no adapter) in Firefox', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openWebmail(suite, 'https://webmail.example.org/?_task=mail&_action=compose&_id=3f2a', SERVED);
  });

  it('marks recipient boxes the person types, in To, Cc and Bcc', async () => {
    await typeRecipient(page, '#to-input', 'nobody@valid.test', ',');
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    await typeRecipient(page, '#to-input', 'alice@valid.test', ' ');
    await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
    await page.click('#add-cc');
    await typeRecipient(page, '#cc-input', 'x@catchall.test');
    await expectVerdict(page, 'x@catchall.test', 'risky', 'cc');
    await page.click('#add-bcc');
    await typeRecipient(page, '#bcc-input', 'alice@nullmx.test');
    await expectVerdict(page, 'alice@nullmx.test', 'undeliverable', 'bcc');
  });

  it('covers a real paste (Ctrl+V)', async () => {
    await pasteInto(suite, page, '#to-input', 'Bob <bob@valid.test>; first.last@valid.test');
    await expectVerdict(page, 'bob@valid.test', 'deliverable', 'to');
    await expectVerdict(page, 'first.last@valid.test', 'deliverable', 'to');
  });

  it('shows the notice and fixes a typo in one click through the box’s × and the input', async () => {
    await typeRecipient(page, '#to-input', 'gina@outlok.com');
    await page.click('#compose-subject');
    await expect.poll(async () => (await noticeRows(page)).map((r) => `${r.address} ${r.verdict}`)).toEqual([
      'gina@outlok.com unknown',
      'nobody@valid.test undeliverable',
      'alice@nullmx.test undeliverable',
      'x@catchall.test risky',
    ]);
    await page.locator(noticeFix('gina@outlok.com')).click();
    await expect.poll(() => chipsOf(page, 'to')).toContain('gina@outlook.com');
    expect(await chipsOf(page, 'to')).not.toContain('gina@outlok.com');
    await expectVerdict(page, 'gina@outlook.com', 'unknown', 'to');
  });

  it('never checks a box the page’s script added by itself: its mark waits for a click', async () => {
    await page.mouse.click(900, 700);
    // The person's last activity must be old enough that the page's own change is not taken for theirs.
    await new Promise((r) => setTimeout(r, 4300));
    await addChipByScript(page, 'to', 'alice@plain.test');
    await expect.poll(() => verdictOf(page, 'alice@plain.test', 'to')).toBe('idle');
    await new Promise((r) => setTimeout(r, 800));
    expect(await verdictOf(page, 'alice@plain.test', 'to')).toBe('idle');
    await page.click(markSelector('alice@plain.test'));
    await expectVerdict(page, 'alice@plain.test', 'deliverable', 'to');
  });

  it('verifies the addresses of an opened message on hover, not those in its text', async () => {
    const message = await openWebmail(suite, 'https://webmail.example.org/?_task=mail&_action=show&_uid=42&_mbox=INBOX', SERVED);
    try {
      const mark = await hoverSender(message);
      await message.click(mark);
      await expect.poll(() => attributeNow(message, mark, 'data-verdict'), { timeout: 20_000 }).toBe('deliverable');
      await message.mouse.move(900, 700);
      await expect.poll(() => countNow(message, mark), { timeout: 5_000 }).toBe(0);
      await message.hover('#recipient-nobody');
      await expect.poll(() => menuAddress(suite.firefox)).toBe('nobody@valid.test');
      // An address in the body text is not a header: no mark.
      await message.hover('::-p-text(sales@valid.test)');
      await new Promise((r) => setTimeout(r, 600));
      expect(await countNow(message, 'mailping-mark')).toBe(0);
    } finally {
      await message.close();
    }
  });
});

describe('SOGo (no adapter) in Firefox', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openWebmail(suite, 'https://groupware.example.net/SOGo/so/me/Mail/view', SERVED);
  });

  it('shows the reply’s recipient unchecked: it came with the page', async () => {
    await expect.poll(() => verdictOf(page, 'alice@valid.test', 'to')).toBe('idle');
    expect(await attributeNow(page, markSelector('alice@valid.test', 'to'), 'aria-label')).toContain('Not checked yet');
  });

  it('marks md-chips the person adds, and lists the bad ones', async () => {
    await typeRecipient(page, '#to-input', 'nobody@valid.test');
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    await page.click('#show-cc');
    await typeRecipient(page, '#cc-input', 'someone@catchall.test', 'Tab');
    await expectVerdict(page, 'someone@catchall.test', 'risky', 'cc');
    await page.click('input[name="subject"]');
    await expect.poll(() => noticeAddresses(page)).toEqual(['nobody@valid.test', 'someone@catchall.test']);
    // The quoted "alice@valid.test" in the body is not a recipient.
    expect(await countNow(page, markSelector('alice@valid.test'))).toBe(1);
  });

  it('fixes a typo through the chip’s remove button and the input (committed on leaving it)', async () => {
    await typeRecipient(page, '#to-input', 'hal@fastmial.com');
    await page.click('input[name="subject"]');
    await page.locator(noticeFix('hal@fastmial.com')).click();
    await expect.poll(() => chipsOf(page, 'to')).toContain('hal@fastmail.com');
    expect(await chipsOf(page, 'to')).not.toContain('hal@fastmial.com');
  });
});
