/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { saveScreenshot } from './support/screenshots';
import { openWebmail } from './support/webmail-fixtures';
import { checkRecipientFromMenu, checkSenderOnHover, expectVerdict, leaveMark, markOf, noticeAddresses, noticeFix } from './support/webmail-marks';

/**
 * Fastmail at https://app.fastmail.com (tests/e2e/webmail-fixtures/fastmail.html): its recipient
 * fields are text areas holding the addresses as text, so a recipient counts once a separator
 * follows it or the person leaves the field, and its mark sits right after its text.
 */

let suite: ExtensionSuite;
let page: Page;

beforeAll(async () => {
  suite = await startExtensionSuite();
  page = await openWebmail(suite.context, 'https://app.fastmail.com/mail/Inbox/Tb7c1f0a9', { '/mail/': 'fastmail.html' });
});

afterAll(() => suite?.stop());

describe('Fastmail compose', () => {
  it('marks a typed recipient once a separator follows it, right after its text', async () => {
    const to = page.locator('#v31-to-input');
    await to.click();
    await to.pressSequentially('nobody@valid.test', { delay: 10 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await markOf(page, 'nobody@valid.test').count()).toBe(0);
    await to.pressSequentially(', anyone@catchall.test', { delay: 10 });
    await expectVerdict(page, 'nobody@valid.test', 'undeliverable', 'to');
    // The entry being typed is not a recipient yet.
    expect(await markOf(page, 'anyone@catchall.test').count()).toBe(0);
    // The mark follows the text: raised over the end of "nobody@valid.test", before the next address.
    const end = await to.evaluate((el: HTMLTextAreaElement) => {
      const style = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = style.font;
      const r = el.getBoundingClientRect();
      const left = r.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
      return { x: left + ctx.measureText('nobody@valid.test').width, next: left + ctx.measureText('nobody@valid.test, ').width, top: r.top + parseFloat(style.paddingTop) };
    });
    const mark = (await markOf(page, 'nobody@valid.test').boundingBox())!;
    expect(mark.x).toBeLessThan(end.x);
    expect(mark.x + mark.width).toBeLessThanOrEqual(end.next + 1);
    expect(mark.x + mark.width).toBeGreaterThan(end.x);
    expect(Math.abs(mark.y + mark.height / 2 - end.top)).toBeLessThan(4);
  });

  it('commits the last entry when the person leaves the field', async () => {
    await page.locator('#v31-subject-input').click();
    await expectVerdict(page, 'anyone@catchall.test', 'risky', 'to');
    await expect.poll(() => noticeAddresses(page)).toEqual(['nobody@valid.test', 'anyone@catchall.test']);
  });

  it('covers Cc, drops a recipient deleted from the text, and fixes a typo in the text', async () => {
    await page.locator('#show-cc').click();
    const cc = page.locator('#v31-cc-input');
    await cc.click();
    await cc.pressSequentially('Hal <hal@fastmial.com>, bob@valid.test', { delay: 5 });
    await page.locator('#v31-subject-input').click();
    await expectVerdict(page, 'bob@valid.test', 'deliverable', 'cc');
    const compose = (await page.locator('#compose').boundingBox())!;
    await saveScreenshot(page, 'webmail-fastmail', { x: compose.x - 10, y: 0, width: compose.width + 20, height: 440 });
    await noticeFix(page, 'hal@fastmial.com').click();
    await expect.poll(() => cc.inputValue()).toBe('Hal <hal@fastmail.com>, bob@valid.test');
    await expect.poll(() => markOf(page, 'hal@fastmial.com').count()).toBe(0);
    // Deleting an address from the text removes its mark.
    await page.locator('#v31-to-input').fill('anyone@catchall.test');
    await page.locator('#v31-subject-input').click();
    await expect.poll(() => markOf(page, 'nobody@valid.test').count()).toBe(0);
    await expect.poll(() => noticeAddresses(page)).toEqual(['anyone@catchall.test']);
  });
});

describe('Fastmail opened message', () => {
  it('verifies the sender on hover, and a recipient from the context menu', async () => {
    const mark = await checkSenderOnHover(page);
    await leaveMark(page, mark, 500, 740);
    await checkRecipientFromMenu(page, await suite.browser.worker());
  });
});
