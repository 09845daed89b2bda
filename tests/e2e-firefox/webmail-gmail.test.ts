/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickAddressMenu, menuAddress } from './support/context-menu';
import { startFirefoxSuite, type FirefoxSuite } from './support/firefox-suite';
import { attributeNow, countNow, textNow, typeRecipient } from './support/page-reading';
import { addChipByScript, chipsOf, expectVerdict, hoverSender, markSelector, noticeAddresses, noticeFix, noticeRows, openWebmail, pasteInto, verdictOf } from './support/webmail';

/**
 * Gmail recipient checks in Firefox (tests/e2e/webmail-gmail.test.ts is the Chromium side):
 * the Gmail fixture at https://mail.google.com/, so the site adapter's content script and the
 * main one match as on the real site. Typed, autocompleted, pasted and scripted recipients get
 * marks; the notice lists the bad ones and fixes a typo in one click; an opened message
 * verifies on hover and through the context menu's handler; the pop-out compose works the same.
 */

const GMAIL = { 'https://mail.google.com': { '/mail/u/0/?view=cm': 'gmail-popout.html', '/mail/u/0/': 'gmail.html' } };

let suite: FirefoxSuite;
let page: Page;

beforeAll(async () => {
  suite = await startFirefoxSuite();
  page = await openWebmail(suite, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk', GMAIL);
});

afterAll(() => suite?.stop());

describe('Gmail compose in Firefox', () => {
  it('marks the recipients a reply starts with (the webmail put them there: its own host is trusted)', async () => {
    await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
  });

  it('marks a typed recipient once it is a chip, never while it is being typed', async () => {
    await page.click('#to');
    await page.type('#to', 'nobody@valid.test', { delay: 15 });
    await new Promise((r) => setTimeout(r, 400));
    expect(await countNow(page, markSelector('nobody@valid.test'))).toBe(0);
    await page.keyboard.press('Enter');
    expect(await chipsOf(page, 'to')).toEqual(['nobody@valid.test']);
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
  });

  it('covers autocomplete, a real paste and a chip the webmail renders by itself', async () => {
    await page.click('#to');
    await page.type('#to', 'Bo', { delay: 20 });
    const suggestion = await page.waitForSelector('::-p-xpath(//*[contains(@class,"fixture-suggestion")][contains(., "bob@valid.test")])');
    await suggestion!.click();
    await expectVerdict(page, 'bob@valid.test', 'deliverable', 'to');

    await pasteInto(suite, page, '#to', 'Someone <anyone@catchall.test>, alice@nullmx.test');
    await expectVerdict(page, 'anyone@catchall.test', 'risky', 'to');
    await expectVerdict(page, 'alice@nullmx.test', 'undeliverable', 'to');

    await page.click('#show-cc');
    await addChipByScript(page, 'cc', 'first.last@valid.test', 'First Last');
    await expectVerdict(page, 'first.last@valid.test', 'deliverable', 'cc');
  });

  it('lists the undeliverable and risky recipients in the notice, with the reason', async () => {
    await expect.poll(() => noticeAddresses(page)).toEqual(['nobody@valid.test', 'alice@nullmx.test', 'anyone@catchall.test']);
    const rows = await noticeRows(page);
    expect(rows[0]).toMatchObject({ verdict: 'undeliverable', text: expect.stringContaining('To: mailbox does not exist') });
    expect(rows[1]).toMatchObject({ verdict: 'undeliverable', text: expect.stringContaining('domain accepts no mail') });
    expect(rows[2]).toMatchObject({ verdict: 'risky', text: expect.stringContaining('catch-all domain') });
    expect(await textNow(page, 'mailping-notice >>> strong')).toBe('3 recipients need a look');
    expect(await attributeNow(page, 'mailping-notice >>> .mp-card', 'role')).toBe('region');
  });

  it('drops the mark of a removed recipient, and the notice forgets it', async () => {
    await page.click('#to-list [data-hovercard-id="nobody@valid.test"] .afX');
    await expect.poll(() => countNow(page, markSelector('nobody@valid.test'))).toBe(0);
    await expect.poll(() => noticeAddresses(page)).toEqual(['alice@nullmx.test', 'anyone@catchall.test']);
  });

  it('fixes a typo in one click: the chip is replaced the way Gmail accepts it', async () => {
    await typeRecipient(page, '#to', 'carol@gmial.com');
    await expect.poll(() => textNow(page, noticeFix('carol@gmial.com')), { timeout: 10_000 }).toBe('Did you mean carol@gmail.com?');
    // A locator: it retries while the notice re-renders under the pointer.
    await page.locator(noticeFix('carol@gmial.com')).click();
    await expect.poll(() => chipsOf(page, 'to')).toEqual(expect.arrayContaining(['carol@gmail.com']));
    expect(await chipsOf(page, 'to')).not.toContain('carol@gmial.com');
    // The lab has no gmail.com: unknown (DNS).
    await expectVerdict(page, 'carol@gmail.com', 'unknown', 'to');
  });

  it('leaves the recipient inputs to the marks: no inline badge on them', async () => {
    expect(await countNow(page, 'mailping-badge')).toBe(0);
  });
});

describe('Gmail opened message in Firefox', () => {
  it('verifies the sender on hover: a mark appears, a click checks', async () => {
    const mark = await hoverSender(page);
    await expect.poll(() => menuAddress(suite.firefox)).toBe('alice@valid.test');
    await page.click(mark);
    await expect.poll(() => attributeNow(page, mark, 'data-verdict'), { timeout: 20_000 }).toBe('deliverable');
    await page.mouse.move(900, 700);
    await expect.poll(() => countNow(page, mark), { timeout: 5_000 }).toBe(0);
    await expect.poll(() => menuAddress(suite.firefox)).toBeNull();
  });

  it('verifies a recipient through the context menu (the address is in an attribute, the page shows a name)', async () => {
    await page.hover('#recipient-nobody');
    await expect.poll(() => menuAddress(suite.firefox)).toBe('nobody@valid.test');
    const box = (await (await page.$('#recipient-nobody'))!.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { button: 'right' });
    await clickAddressMenu(suite.firefox, page);
    await expect.poll(() => attributeNow(page, 'mailping-toast', 'data-verdict'), { timeout: 20_000 }).toBe('undeliverable');
    expect(await textNow(page, 'mailping-toast >>> .mp-details')).toContain('nobody@valid.test');
  });
});

describe('Gmail pop-out compose window in Firefox', () => {
  it('marks recipients in the full-page compose window too', async () => {
    const popout = await openWebmail(suite, 'https://mail.google.com/mail/u/0/?view=cm&fs=1&tf=1', GMAIL);
    try {
      await typeRecipient(popout, '#to', 'bob@valid.test', ',');
      await expectVerdict(popout, 'bob@valid.test', 'deliverable', 'to');
      await typeRecipient(popout, '#to', 'x@catchall.test', 'Tab');
      await expectVerdict(popout, 'x@catchall.test', 'risky', 'to');
      await expect.poll(() => noticeAddresses(popout)).toEqual(['x@catchall.test']);
      expect(await verdictOf(popout, 'bob@valid.test', 'to')).toBe('deliverable');
    } finally {
      await popout.close();
    }
  });
});
