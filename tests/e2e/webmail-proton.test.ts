/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { chipsOf, openWebmail, pasteInto, typeRecipient } from './support/webmail-fixtures';
import { checkRecipientFromMenu, checkSenderOnHover, expectVerdict, leaveMark, markOf, noticeAddresses, noticeFix } from './support/webmail-marks';

/**
 * Proton Mail at https://mail.proton.me (tests/e2e/webmail-fixtures/proton.html, from Proton's
 * open-source web client): recipient items in the composer, the notice and its typo fix through
 * the item's remove button and a paste into the address input, the message header's recipient
 * items. Proton's address inputs look like email fields to the inline badges ("Email address"):
 * they must get chip marks only.
 */

let suite: ExtensionSuite;
let page: Page;

beforeAll(async () => {
  suite = await startExtensionSuite();
  page = await openWebmail(suite.context, 'https://mail.proton.me/u/0/inbox/Qx9kT2', { '/u/': 'proton.html' });
});

afterAll(() => suite?.stop());

describe('Proton Mail composer', () => {
  it('marks recipient items (typed, pasted, in CC and BCC) and gives the inputs no inline badge', async () => {
    await typeRecipient(page, '#to-composer-1', 'alice@valid.test');
    await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
    await pasteInto(page, '#to-composer-1', 'nobody@valid.test, Someone <anyone@catchall.test>');
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    await expectVerdict(page, 'anyone@catchall.test', 'risky', 'to');
    await page.locator('#show-cc').click();
    await typeRecipient(page, '#cc-composer-1', 'alice@nullmx.test');
    await expectVerdict(page, 'alice@nullmx.test', 'undeliverable', 'cc');
    expect(await page.locator('mailping-badge').count()).toBe(0);
  });

  it('lists them in the notice and fixes a typo in one click', async () => {
    await typeRecipient(page, '#to-composer-1', 'frank@protonmial.com');
    await page.locator('#subject-composer-1').click();
    // The typo first: its fix is one click away.
    await expect.poll(() => noticeAddresses(page)).toEqual([
      'frank@protonmial.com',
      'nobody@valid.test',
      'alice@nullmx.test',
      'anyone@catchall.test',
    ]);
    const composer = (await page.locator('#composer').boundingBox())!;
    await saveScreenshot(page, 'webmail-proton', { x: composer.x - 30, y: composer.y - 20, width: composer.width + 30, height: 760 - composer.y + 20 });
    await noticeFix(page, 'frank@protonmial.com').click();
    await expect.poll(() => chipsOf(page, 'to')).toEqual(['alice@valid.test', 'nobody@valid.test', 'anyone@catchall.test', 'frank@protonmail.com']);
    await expect.poll(() => markOf(page, 'frank@protonmial.com').count()).toBe(0);
    await expect.poll(() => markOf(page, 'frank@protonmail.com', 'to').count()).toBe(1);
  });

  it('drops the mark of a removed item', async () => {
    await page.locator('[data-testid="remove-address-button-nobody@valid.test"]').click();
    await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
    expect(await chipsOf(page, 'to')).not.toContain('nobody@valid.test');
  });
});

describe('Proton Mail opened message', () => {
  it('verifies the sender on hover and a recipient from the context menu', async () => {
    const mark = await checkSenderOnHover(page);
    await leaveMark(page, mark, 300, 700);
    await checkRecipientFromMenu(page, await suite.browser.worker());
  });
});
