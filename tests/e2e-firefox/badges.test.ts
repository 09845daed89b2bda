/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFirefoxSuite, type FirefoxSuite } from './support/firefox-suite';
import { attributeNow, countNow, isShown, textNow, typeAndLeave } from './support/page-reading';

/**
 * Inline badges in real Firefox ESR with the built extension, the real daemon and the lab's
 * Postfix (tests/e2e/badges.test.ts is the Chromium side): every verdict here went from the
 * content script through the background's WebSocket to the daemon, which is what Firefox's
 * default MV3 CSP broke (issue 9). Last, the daemon goes away and comes back.
 */

let suite: FirefoxSuite;
let page: Page;

beforeAll(async () => {
  suite = await startFirefoxSuite();
  page = await suite.open(suite.site.url('signup.html'));
});

afterAll(() => suite?.stop());

const badge = (field: string) => `mailping-badge[data-field="${field}"]`;
const badgeVerdict = (field: string) => attributeNow(page, badge(field), 'data-verdict');

describe('badges on a sign-up form in Firefox', () => {
  it('shows an idle badge on a focused email field, none on other fields', async () => {
    expect(await countNow(page, 'mailping-badge')).toBe(0);
    await page.focus('#email');
    await expect.poll(() => isShown(page, badge('email')), { timeout: 10_000 }).toBe(true);
    expect(await badgeVerdict('email')).toBe('idle');
    await page.focus('#password');
    await new Promise((r) => setTimeout(r, 300));
    expect(await countNow(page, badge('password'))).toBe(0);
  });

  it('reaches deliverable for a known address, with the details on hover', async () => {
    await typeAndLeave(page, '#email', 'alice@valid.test');
    await expect.poll(() => badgeVerdict('email'), { timeout: 20_000 }).toBe('deliverable');
    expect(await attributeNow(page, badge('email'), 'aria-label')).toBe('MailPing, alice@valid.test: Deliverable. Show details.');
    await page.hover(badge('email'));
    const popover = `${badge('email')} >>> .mp-popover`;
    await expect.poll(() => isShown(page, popover)).toBe(true);
    expect(await textNow(page, popover)).toMatch(/Deliverable.*Reason: mailbox exists.*Server reply: 250/s);
    await page.mouse.move(5, 5);
    await expect.poll(() => isShown(page, popover)).toBe(false);
  });

  it('reaches undeliverable for a mailbox that does not exist, with the 550 reply', async () => {
    await typeAndLeave(page, '#email', 'nobody@valid.test');
    await expect.poll(() => badgeVerdict('email'), { timeout: 20_000 }).toBe('undeliverable');
    await page.hover(badge('email'));
    await expect.poll(() => textNow(page, `${badge('email')} >>> .mp-popover`)).toMatch(/550 5\.1\.1/);
    await page.mouse.move(5, 5);
  });

  it('reaches risky for a catch-all domain (in a field found by its label)', async () => {
    await typeAndLeave(page, '#work', 'x@catchall.test');
    await expect.poll(() => attributeNow(page, badge('work'), 'data-verdict'), { timeout: 20_000 }).toBe('risky');
  });

  it('marks a malformed address invalid without asking the daemon', async () => {
    await typeAndLeave(page, '#email', 'alice@');
    await expect.poll(() => badgeVerdict('email')).toBe('invalid');
  });

  it('works in a same-origin frame (its own copy of the content script)', async () => {
    const frame = page.frames().find((f) => f.url().endsWith('frame.html'));
    expect(frame).toBeDefined();
    await frame!.click('#framed');
    await frame!.type('#framed', 'alice@valid.test', { delay: 15 });
    await page.keyboard.press('Tab');
    await expect.poll(() => attributeNow(frame!, badge('framed'), 'data-verdict'), { timeout: 20_000 }).toBe('deliverable');
  });
});

describe('daemon stopped and restarted, in Firefox', () => {
  it('says offline while the daemon is down, and finishes by itself once it is back', async () => {
    await suite.daemon.stop();
    await typeAndLeave(page, '#work', 'bob@valid.test');
    await expect.poll(() => attributeNow(page, badge('work'), 'data-verdict'), { timeout: 20_000 }).toBe('offline');
    await page.hover(badge('work'));
    await expect.poll(() => textNow(page, `${badge('work')} >>> .mp-popover`)).toContain('mailping serve');
    await page.mouse.move(5, 5);

    // The background's reconnect (its backoff) finds the daemon again and finishes the check.
    await suite.daemon.start();
    await expect.poll(() => attributeNow(page, badge('work'), 'data-verdict'), { timeout: 30_000 }).toBe('deliverable');
  });
});
