/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { chipsOf, openWebmail, typeRecipient } from './support/webmail-fixtures';
import { checkRecipientFromMenu, checkSenderOnHover, expectVerdict, leaveMark, markOf, noticeAddresses, noticeFix, noticeRows } from './support/webmail-marks';

/**
 * Yahoo Mail at https://mail.yahoo.com (tests/e2e/webmail-fixtures/yahoo.html): pills in the
 * compose form's To/CC/BCC fields, the notice with a one-click typo fix through the pill's ×
 * and the To input, and the opened message's email pills.
 */

let suite: ExtensionSuite;
let page: Page;

beforeAll(async () => {
  suite = await startExtensionSuite();
  page = await openWebmail(suite.context, 'https://mail.yahoo.com/d/folders/1/messages/42', { '/d/': 'yahoo.html' });
});

afterAll(() => suite?.stop());

describe('Yahoo Mail compose', () => {
  it('marks each pill: typed, picked from the suggestions, in CC and BCC', async () => {
    await typeRecipient(page, '#message-to-field', 'nobody@valid.test', ',');
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    const input = page.locator('#message-to-field');
    await input.pressSequentially('al', { delay: 20 });
    await page.locator('.fixture-suggestion', { hasText: 'alice@valid.test' }).click();
    await expectVerdict(page, 'alice@valid.test', 'deliverable', 'to');
    await page.locator('#btn-cc').click();
    await typeRecipient(page, '#message-cc-field', 'x@catchall.test');
    await expectVerdict(page, 'x@catchall.test', 'risky', 'cc');
    await typeRecipient(page, '#message-bcc-field', 'alice@nullmx.test', 'Tab');
    await expectVerdict(page, 'alice@nullmx.test', 'undeliverable', 'bcc');
  });

  it('lists the bad ones in the notice and drops a removed pill', async () => {
    await page.locator('[data-test-id="compose-subject"]').click();
    await expect.poll(() => noticeAddresses(page)).toEqual(['nobody@valid.test', 'alice@nullmx.test', 'x@catchall.test']);
    expect((await noticeRows(page))[2]!.text).toContain('Cc: catch-all domain');
    const compose = (await page.locator('#compose').boundingBox())!;
    await saveScreenshot(page, 'webmail-yahoo', { x: compose.x - 10, y: 0, width: compose.width + 20, height: 420 });
    await page.locator('#to-pills [data-test-id="pill"][title="nobody@valid.test"] button').click();
    await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
    await page.locator('[data-test-id="compose-subject"]').click();
    await expect.poll(() => noticeAddresses(page)).toEqual(['alice@nullmx.test', 'x@catchall.test']);
  });

  it('fixes a typo in one click through the pill’s × and the To field', async () => {
    await typeRecipient(page, '#message-to-field', 'erin@yaho.com');
    await page.locator('[data-test-id="compose-subject"]').click();
    const fix = noticeFix(page, 'erin@yaho.com');
    await expect.poll(() => fix.textContent(), { timeout: 10_000 }).toBe('Did you mean erin@yahoo.com?');
    await fix.click();
    await expect.poll(() => chipsOf(page, 'to')).toEqual(['alice@valid.test', 'erin@yahoo.com']);
    await expect.poll(() => markOf(page, 'erin@yahoo.com', 'to').count()).toBe(1);
  });
});

describe('Yahoo Mail opened message', () => {
  it('verifies the sender on hover, and a recipient from the context menu', async () => {
    const mark = await checkSenderOnHover(page);
    await leaveMark(page, mark, 700, 740);
    await checkRecipientFromMenu(page, await suite.browser.worker());
  });
});
