/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menuAddress } from './support/context-menu';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { addChipByScript, boxesOf, chipsOf, openWebmail, pasteInto, typeRecipient } from './support/webmail-fixtures';
import { checkRecipientFromMenu, expectVerdict, hoverSender, leaveMark, markOf, noticeAddresses, noticeFix, noticeRows, verdictOf } from './support/webmail-marks';

/**
 * Gmail recipient checks in Chromium with the built extension, the real daemon and the lab:
 * the Gmail fixture (tests/e2e/webmail-fixtures/gmail.html) is served at
 * https://mail.google.com/, so the site adapter's content script and the main one match as on
 * the real site. Recipients added by typing, autocomplete, paste and drag get marks; removed
 * ones lose them; the notice lists the bad ones and fixes a typo in one click; opened messages
 * verify on hover and through the context menu; the pop-out compose window works the same.
 */

let suite: ExtensionSuite;
let page: Page;

beforeAll(async () => {
  suite = await startExtensionSuite();
  page = await openWebmail(suite.context, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk', {
    '/mail/u/0/?view=cm': 'gmail-popout.html',
    '/mail/u/0/': 'gmail.html',
  });
});

afterAll(() => suite?.stop());

describe('Gmail compose', () => {
  it('marks the recipients a reply starts with (the webmail put them there: its own host is trusted)', async () => {
    await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
    // The mark sits on the chip's top-right corner, over its end.
    const chip = (await page.locator('#reply-to-list [role="option"]').boundingBox())!;
    const mark = (await markOf(page, 'alice@valid.test').boundingBox())!;
    expect(mark.width).toBe(14);
    expect(mark.x).toBeGreaterThan(chip.x + chip.width - 14);
    expect(mark.x).toBeLessThan(chip.x + chip.width);
    expect(mark.y).toBeLessThan(chip.y + 4);
  });

  it('marks a typed recipient once it is a chip, never while it is being typed', async () => {
    const input = page.locator('#to');
    await input.click();
    await input.pressSequentially('nobody@valid.test', { delay: 15 });
    // Still typing: no chip, no mark, no check.
    await new Promise((r) => setTimeout(r, 400));
    expect(await markOf(page, 'nobody@valid.test').count()).toBe(0);
    const before = await boxesOf(page, '#compose-dialog .anm');
    await page.keyboard.press('Enter');
    expect(await chipsOf(page, 'to')).toEqual(['nobody@valid.test']);
    await expect.poll(() => verdictOf(page, 'nobody@valid.test', 'to'), { timeout: 5_000 }).not.toBeNull();
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    // The webmail's layout did not move: the mark floats above it.
    expect(await boxesOf(page, '#compose-dialog .anm')).toEqual(before);
  });

  it('covers autocomplete, paste and a chip the webmail renders by itself', async () => {
    const input = page.locator('#to');
    await input.click();
    await input.pressSequentially('Bo', { delay: 20 });
    await page.locator('.fixture-suggestion', { hasText: 'bob@valid.test' }).click();
    await expectVerdict(page, 'bob@valid.test', 'deliverable', 'to');

    await pasteInto(page, '#to', 'Someone <anyone@catchall.test>, alice@nullmx.test');
    await expectVerdict(page, 'anyone@catchall.test', 'risky', 'to');
    await expectVerdict(page, 'alice@nullmx.test', 'undeliverable', 'to');

    await page.locator('#show-cc').click();
    await addChipByScript(page, 'cc', 'first.last@valid.test', 'First Last');
    await expectVerdict(page, 'first.last@valid.test', 'deliverable', 'cc');
  });

  it('lists the undeliverable and risky recipients in the notice, with the reason', async () => {
    await expect.poll(() => noticeAddresses(page)).toEqual(['nobody@valid.test', 'alice@nullmx.test', 'anyone@catchall.test']);
    const rows = await noticeRows(page);
    expect(rows[0]).toMatchObject({ verdict: 'undeliverable', text: expect.stringContaining('To: mailbox does not exist') });
    expect(rows[1]).toMatchObject({ verdict: 'undeliverable', text: expect.stringContaining('domain accepts no mail') });
    expect(rows[2]).toMatchObject({ verdict: 'risky', text: expect.stringContaining('catch-all domain') });
    expect(await page.locator('mailping-notice strong').textContent()).toBe('3 recipients need a look');
    // Inside the compose window, below its recipient rows.
    const notice = (await page.locator('mailping-notice .mp-card').boundingBox())!;
    const dialog = (await page.locator('#compose-dialog').boundingBox())!;
    expect(notice.x).toBeGreaterThanOrEqual(dialog.x);
    expect(notice.x + notice.width).toBeLessThanOrEqual(dialog.x + dialog.width);
    // Accessible: a labelled region.
    expect(await page.locator('mailping-notice .mp-card').getAttribute('role')).toBe('region');
    await saveScreenshot(page, 'webmail-gmail', { x: dialog.x - 40, y: Math.max(0, dialog.y - 30), width: dialog.width + 50, height: Math.min(760 - Math.max(0, dialog.y - 30), dialog.height + 40) });
  });

  it('shows the details on hover, as the inline badges do', async () => {
    await markOf(page, 'nobody@valid.test').hover();
    const popover = markOf(page, 'nobody@valid.test').locator('.mp-popover');
    await expect.poll(() => popover.isVisible()).toBe(true);
    expect(await popover.textContent()).toMatch(/Undeliverable.*Reason: mailbox does not exist.*550 5\.1\.1/s);
    await page.mouse.move(5, 5);
    await expect.poll(() => popover.isVisible()).toBe(false);
  });

  it('drops the mark of a removed recipient, and the notice forgets it', async () => {
    await page.locator('#to-list [data-hovercard-id="nobody@valid.test"] .afX').click();
    await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
    await expect.poll(() => noticeAddresses(page)).toEqual(['alice@nullmx.test', 'anyone@catchall.test']);
  });

  it('follows a chip dragged from To to Cc', async () => {
    await page.locator('#to-list [data-hovercard-id="bob@valid.test"]').dragTo(page.locator('#cc-list'));
    expect(await chipsOf(page, 'cc')).toContain('bob@valid.test');
    await expectVerdict(page, 'bob@valid.test', 'deliverable', 'cc');
    expect(await markOf(page, 'bob@valid.test', 'to').count()).toBe(0);
  });

  it('fixes a typo in one click: the chip is replaced the way Gmail accepts it', async () => {
    await typeRecipient(page, '#to', 'carol@gmial.com');
    const fix = noticeFix(page, 'carol@gmial.com');
    await expect.poll(() => fix.textContent(), { timeout: 10_000 }).toBe('Did you mean carol@gmail.com?');
    await saveScreenshot(page, 'webmail-gmail-typo', { x: 440, y: 300, width: 560, height: 460 });
    await fix.click();
    await expect.poll(() => chipsOf(page, 'to')).toEqual(expect.arrayContaining(['carol@gmail.com']));
    expect(await chipsOf(page, 'to')).not.toContain('carol@gmial.com');
    // The corrected recipient gets its own mark (the lab has no gmail.com: unknown, DNS).
    await expectVerdict(page, 'carol@gmail.com', 'unknown', 'to');
    expect(await markOf(page, 'carol@gmial.com').count()).toBe(0);
  });

  it('leaves the recipient inputs to the marks: no inline badge on them', async () => {
    expect(await page.locator('mailping-badge').count()).toBe(0);
  });
});

describe('Gmail opened message', () => {
  it('verifies the sender on hover: a mark appears, a click checks', async () => {
    const worker = await suite.browser.worker();
    const mark = await hoverSender(page);
    // Nothing is checked by hovering alone; the context menu offers the address meanwhile.
    await expect.poll(() => menuAddress(worker)).toBe('alice@valid.test');
    await mark.click();
    await expect.poll(() => mark.getAttribute('data-verdict'), { timeout: 20_000 }).toBe('deliverable');
    await expect.poll(() => mark.locator('.mp-popover').isVisible()).toBe(true);
    const box = (await page.locator('#sender').boundingBox())!;
    await saveScreenshot(page, 'webmail-gmail-message', { x: Math.max(0, box.x - 40), y: Math.max(0, box.y - 20), width: 560, height: 300 });
    await leaveMark(page, mark, 900, 700);
    await expect.poll(() => menuAddress(worker)).toBeNull();
  });

  it('verifies a recipient through the context menu (the address is in an attribute, the page shows a name)', async () => {
    await checkRecipientFromMenu(page, await suite.browser.worker());
    expect(await page.locator('mailping-toast .mp-details').textContent()).toContain('nobody@valid.test');
  });
});

describe('Gmail pop-out compose window', () => {
  it('marks recipients in the full-page compose window too', async () => {
    const popout = await suite.open('https://mail.google.com/mail/u/0/?view=cm&fs=1&tf=1');
    try {
      await typeRecipient(popout, '#to', 'bob@valid.test', ',');
      await expectVerdict(popout, 'bob@valid.test', 'deliverable', 'to');
      await typeRecipient(popout, '#to', 'x@catchall.test', 'Tab');
      await expectVerdict(popout, 'x@catchall.test', 'risky', 'to');
      await expect.poll(() => noticeAddresses(popout)).toEqual(['x@catchall.test']);
      await saveScreenshot(popout, 'webmail-gmail-popout', { x: 0, y: 0, width: 1000, height: 400 });
    } finally {
      await popout.close();
    }
  });
});
