/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menuAddress } from './support/context-menu';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { addChipByScript, chipsOf, serveWebmail, typeRecipient } from './support/webmail-fixtures';
import { checkSenderOnHover, expectVerdict, leaveMark, markOf, noticeAddresses, noticeFix, noticeRows, verdictOf } from './support/webmail-marks';

/**
 * The generic adapter on two webmails MailPing has no adapter for, served at hosts of their
 * own: Roundcube (Elastic skin; a separate compose page and message page) and SOGo (an
 * AngularJS Material compose dialog over the message). Found through semantics alone (a
 * subject field, labelled recipient entries, chips that carry one address each). On a host
 * MailPing does not know, only recipients the person added get checked: chips that came with
 * the page, or that its script added by itself, wait for a click on their mark.
 */

let suite: ExtensionSuite;

beforeAll(async () => {
  suite = await startExtensionSuite();
  const roundcube = { '/?_task=mail&_action=compose': 'roundcube-compose.html', '/?_task=mail&_action=show': 'roundcube-message.html' };
  await serveWebmail(suite.context, 'https://webmail.example.org', roundcube, { clipboard: true });
  await serveWebmail(suite.context, 'https://groupware.example.net', { '/SOGo/': 'sogo.html' }, { clipboard: true });
});

afterAll(() => suite?.stop());

describe('Roundcube (no adapter)', () => {
  let page: Page;
  beforeAll(async () => {
    page = await suite.open('https://webmail.example.org/?_task=mail&_action=compose&_id=3f2a');
  });

  it('marks recipient boxes the person types, in To, Cc and Bcc', async () => {
    await typeRecipient(page, '#to-input', 'nobody@valid.test', ',');
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    await typeRecipient(page, '#to-input', 'alice@valid.test', ' ');
    await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
    await page.locator('#add-cc').click();
    await typeRecipient(page, '#cc-input', 'x@catchall.test');
    await expectVerdict(page, 'x@catchall.test', 'risky', 'cc');
    await page.locator('#add-bcc').click();
    await typeRecipient(page, '#bcc-input', 'alice@nullmx.test');
    await expectVerdict(page, 'alice@nullmx.test', 'undeliverable', 'bcc');
  });

  it('covers a real paste (Ctrl+V), an autocomplete pick and a drag to another field', async () => {
    await page.evaluate(() => navigator.clipboard.writeText('Bob <bob@valid.test>; first.last@valid.test'));
    await page.locator('#to-input').click();
    await page.keyboard.press('ControlOrMeta+V');
    await expectVerdict(page, 'bob@valid.test', 'deliverable', 'to');
    await expectVerdict(page, 'first.last@valid.test', 'deliverable', 'to');
    await page.locator('#cc-input').click();
    await page.locator('#cc-input').pressSequentially('bo', { delay: 20 });
    await page.locator('.fixture-suggestion', { hasText: 'bob@valid.test' }).click();
    await expectVerdict(page, 'bob@valid.test', 'deliverable', 'cc');
    await page.locator('#to-list li.recipient', { hasText: 'first.last@valid.test' }).dragTo(page.locator('#bcc-list'));
    await expectVerdict(page, 'first.last@valid.test', 'deliverable', 'bcc');
    expect(await markOf(page, 'first.last@valid.test', 'to').count()).toBe(0);
  });

  it('shows the notice and fixes a typo in one click through the box’s × and the input', async () => {
    await typeRecipient(page, '#to-input', 'gina@outlok.com');
    await page.locator('#compose-subject').click();
    await expect.poll(async () => (await noticeRows(page)).map((r) => `${r.address} ${r.verdict}`)).toEqual([
      'gina@outlok.com unknown',
      'nobody@valid.test undeliverable',
      'alice@nullmx.test undeliverable',
      'x@catchall.test risky',
    ]);
    await saveScreenshot(page, 'webmail-generic-roundcube', { x: 0, y: 0, width: 1000, height: 480 });
    await noticeFix(page, 'gina@outlok.com').click();
    await expect.poll(() => chipsOf(page, 'to')).toContain('gina@outlook.com');
    expect(await chipsOf(page, 'to')).not.toContain('gina@outlok.com');
    // The corrected recipient is the person's: it is checked (the lab cannot resolve outlook.com).
    await expectVerdict(page, 'gina@outlook.com', 'unknown', 'to');
  });

  it('never checks a box the page’s script added by itself: its mark waits for a click', async () => {
    await page.mouse.click(900, 700);
    await new Promise((r) => setTimeout(r, 4300));
    await addChipByScript(page, 'to', 'alice@plain.test');
    await expect.poll(() => verdictOf(page, 'alice@plain.test', 'to')).toBe('idle');
    await new Promise((r) => setTimeout(r, 800));
    expect(await verdictOf(page, 'alice@plain.test', 'to')).toBe('idle');
    await markOf(page, 'alice@plain.test').click();
    await expectVerdict(page, 'alice@plain.test', 'deliverable', 'to');
  });

  it('drops the mark of a removed box', async () => {
    await page.locator('#to-list li.recipient', { hasText: 'nobody@valid.test' }).locator('a.remove').click();
    await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
  });

  it('verifies the addresses of an opened message on hover, not those in its text', async () => {
    const message = await suite.open('https://webmail.example.org/?_task=mail&_action=show&_uid=42&_mbox=INBOX');
    try {
      const mark = await checkSenderOnHover(message);
      await saveScreenshot(message, 'webmail-generic-roundcube-message', { x: 0, y: 0, width: 700, height: 300 });
      await leaveMark(message, mark, 900, 700);
      // A non-link address element offers the context menu item.
      await message.locator('#recipient-nobody').hover();
      await expect.poll(async () => menuAddress(await suite.browser.worker())).toBe('nobody@valid.test');
      // An address in the body text is not a header: no mark.
      await message.getByText('sales@valid.test').hover();
      await new Promise((r) => setTimeout(r, 600));
      expect(await message.locator('mailping-mark').count()).toBe(0);
    } finally {
      await message.close();
    }
  });
});

describe('SOGo (no adapter)', () => {
  let page: Page;
  beforeAll(async () => {
    page = await suite.open('https://groupware.example.net/SOGo/so/me/Mail/view');
  });

  it('shows the reply’s recipient unchecked: it came with the page', async () => {
    await expect.poll(() => verdictOf(page, 'alice@valid.test', 'to')).toBe('idle');
    expect(await markOf(page, 'alice@valid.test', 'to').getAttribute('aria-label')).toContain('Not checked yet');
  });

  it('marks md-chips the person adds, and lists the bad ones', async () => {
    await typeRecipient(page, '#to-input', 'nobody@valid.test');
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    await page.locator('#show-cc').click();
    await typeRecipient(page, '#cc-input', 'someone@catchall.test', 'Tab');
    await expectVerdict(page, 'someone@catchall.test', 'risky', 'cc');
    await page.locator('input[name="subject"]').click();
    await expect.poll(() => noticeAddresses(page)).toEqual(['nobody@valid.test', 'someone@catchall.test']);
    const dialog = (await page.locator('#compose').boundingBox())!;
    await saveScreenshot(page, 'webmail-generic-sogo', { x: dialog.x - 20, y: 0, width: dialog.width + 40, height: 560 });
    // The quoted "alice@valid.test" in the body is not a recipient.
    expect(await markOf(page, 'alice@valid.test').count()).toBe(1);
  });

  it('fixes a typo through the chip’s remove button and the input (committed on leaving it)', async () => {
    await typeRecipient(page, '#to-input', 'hal@fastmial.com');
    await page.locator('input[name="subject"]').click();
    await noticeFix(page, 'hal@fastmial.com').click();
    await expect.poll(() => chipsOf(page, 'to')).toContain('hal@fastmail.com');
    expect(await chipsOf(page, 'to')).not.toContain('hal@fastmial.com');
  });

  it('drops the mark of a removed chip and verifies the sender on hover', async () => {
    await page.locator('#to-wrap md-chip', { hasText: 'nobody@valid.test' }).locator('button.md-chip-remove').click();
    await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
    await checkSenderOnHover(page);
  });
});
