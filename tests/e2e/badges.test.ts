/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import type { Frame, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtensionSuite, type ExtensionSuite } from './support/extension-suite';
import { badgeFor, badgeVerdict, typeAndLeave } from './support/field-badges';
import { saveFieldScreenshot } from './support/screenshots';

/**
 * Inline badges in real Chromium with the built extension, the real daemon and the lab's
 * Postfix: a sign-up form where a person types an address and leaves the field. Each state a
 * badge can show is screenshotted to tests/.artifacts/screenshots.
 */

let suite: ExtensionSuite;
let page: Page;

beforeAll(async () => {
  suite = await startExtensionSuite();
  page = await suite.open(suite.site.url('signup.html'));
});

afterAll(() => suite?.stop());

async function fieldGeometry(field: Locator) {
  return field.evaluate((el: HTMLInputElement) => {
    const style = getComputedStyle(el);
    const canvas = document.createElement('canvas').getContext('2d')!;
    canvas.font = style.font;
    const r = el.getBoundingClientRect();
    return {
      left: r.left,
      right: r.right,
      top: r.top,
      bottom: r.bottom,
      textEnd: r.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft) + canvas.measureText(el.value).width,
    };
  });
}

describe('badges on a sign-up form', () => {
  it('finds the email fields (plain, labelled, scrolled, shadow DOM, late, in frames) and leaves the others alone', async () => {
    // A badge joins the page when it is first shown: an untouched page carries none.
    expect(await page.locator('mailping-badge').count()).toBe(0);
    // Focusing an email field shows its (idle) badge; other fields get none.
    const focusAndLook = async (scope: Page | Frame, id: string) => {
      await scope.locator(`#${id}`).focus();
      await expect.poll(() => badgeFor(scope, id).isVisible(), { timeout: 5_000 }).toBe(true);
    };
    for (const id of ['email', 'work', 'scripted', 'backup', 'shadow-email', 'late']) await focusAndLook(page, id);
    for (const id of ['name', 'password', 'code']) {
      await page.locator(`#${id}`).focus();
      await new Promise((r) => setTimeout(r, 150));
      expect(await badgeFor(page, id).count()).toBe(0);
    }
    // Same-origin and srcdoc frames run their own copy of the content script.
    await focusAndLook(page.frame({ url: /frame\.html$/ })!, 'framed');
    await focusAndLook(page.frames().find((f) => f.url() === 'about:srcdoc')!, 'inframe');
    // An empty field's badge goes away with the focus.
    await page.locator('#name').focus();
    await expect.poll(() => badgeFor(page, 'email').isVisible()).toBe(false);
  });

  it('reaches deliverable for a known address, after the person leaves the field', async () => {
    const field = page.locator('#email');
    await field.click();
    await expect.poll(() => badgeFor(page, 'email').isVisible()).toBe(true);
    expect(await badgeVerdict(page, 'email')).toBe('idle');
    await saveFieldScreenshot(page, field, 'badge-idle-focused');

    const before = await field.boundingBox();
    const scrollHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    await typeAndLeave(page, '#email', 'alice@valid.test');
    await expect.poll(() => badgeVerdict(page, 'email'), { timeout: 20_000 }).toBe('deliverable');
    await saveFieldScreenshot(page, field, 'badge-deliverable');

    // The badge floats over the field's right edge: no layout shift, clear of the text.
    expect(await field.boundingBox()).toEqual(before);
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBe(scrollHeight);
    const badgeBox = (await badgeFor(page, 'email').boundingBox())!;
    const geometry = await fieldGeometry(field);
    expect(badgeBox.x + badgeBox.width).toBeLessThanOrEqual(geometry.right);
    expect(badgeBox.x).toBeGreaterThan(geometry.textEnd);
    expect(badgeBox.y).toBeGreaterThanOrEqual(geometry.top);
    expect(badgeBox.y + badgeBox.height).toBeLessThanOrEqual(geometry.bottom);
    expect(badgeBox.width).toBe(18);

    // Accessible: a focusable button whose name says the verdict.
    const badge = badgeFor(page, 'email');
    expect(await badge.getAttribute('role')).toBe('button');
    expect(await badge.getAttribute('tabindex')).toBe('0');
    expect(await badge.getAttribute('aria-label')).toBe('MailPing, alice@valid.test: Deliverable. Show details.');
  });

  it('shows the details on hover: verdict, reason and the server\u2019s reply', async () => {
    const badge = badgeFor(page, 'email');
    await badge.hover();
    const popover = badge.locator('.mp-popover');
    await expect.poll(() => popover.isVisible()).toBe(true);
    const text = await popover.textContent();
    expect(text).toContain('Deliverable');
    expect(text).toContain('Reason: mailbox exists');
    expect(text).toMatch(/Server reply: 250/);
    await saveFieldScreenshot(page, page.locator('#email'), 'badge-deliverable-details', { below: 230 });
    await page.mouse.move(5, 5);
    await expect.poll(() => popover.isVisible()).toBe(false);
  });

  it('opens the details from the keyboard too', async () => {
    const badge = badgeFor(page, 'email');
    await badge.focus();
    await expect.poll(() => badge.locator('.mp-popover').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => badge.locator('.mp-popover').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
  });

  it('puts the badge right after its field in the keyboard order', async () => {
    const field = page.locator('#email');
    await field.click();
    await field.fill('');
    await field.pressSequentially('alice@valid.test', { delay: 10 });
    await page.keyboard.press('Tab');
    // The badge (a child of <html>, at the end of the page) is the next stop, with its details open.
    const active = () => page.evaluate(() => ({ tag: document.activeElement?.localName, id: document.activeElement?.id, field: (document.activeElement as HTMLElement | null)?.dataset.field }));
    expect(await active()).toEqual({ tag: 'mailping-badge', id: '', field: 'email' });
    await expect.poll(() => badgeFor(page, 'email').locator('.mp-popover').isVisible()).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await active()).toMatchObject({ tag: 'input', id: 'email' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    // Then on to the field after it.
    expect(await active()).toMatchObject({ tag: 'input', id: 'work' });
  });

  it('reaches undeliverable for a mailbox that does not exist, with the 550 reply', async () => {
    await typeAndLeave(page, '#email', 'nobody@valid.test');
    await expect.poll(() => badgeVerdict(page, 'email'), { timeout: 20_000 }).toBe('undeliverable');
    await saveFieldScreenshot(page, page.locator('#email'), 'badge-undeliverable');
    await badgeFor(page, 'email').hover();
    await expect.poll(() => badgeFor(page, 'email').locator('.mp-popover').textContent()).toMatch(/550 5\.1\.1/);
    await saveFieldScreenshot(page, page.locator('#email'), 'badge-undeliverable-details', { below: 240 });
    await page.mouse.move(5, 5);
  });

  it('reaches risky for a catch-all domain (in a field found by its label)', async () => {
    await typeAndLeave(page, '#work', 'x@catchall.test');
    await expect.poll(() => badgeVerdict(page, 'work'), { timeout: 20_000 }).toBe('risky');
    await saveFieldScreenshot(page, page.locator('#work'), 'badge-risky');
  });

  it('shows checking while the mail server is slow, then unknown when it never answers', async () => {
    await typeAndLeave(page, '#email', 'alice@silent.test');
    await expect.poll(() => badgeVerdict(page, 'email'), { timeout: 5_000 }).toBe('checking');
    await saveFieldScreenshot(page, page.locator('#email'), 'badge-checking');
    await expect.poll(() => badgeVerdict(page, 'email'), { timeout: 30_000 }).toBe('unknown');
    await saveFieldScreenshot(page, page.locator('#email'), 'badge-unknown');
  });

  it('marks a malformed address invalid without asking the daemon', async () => {
    await typeAndLeave(page, '#email', 'alice@');
    await expect.poll(() => badgeVerdict(page, 'email')).toBe('invalid');
    await saveFieldScreenshot(page, page.locator('#email'), 'badge-invalid');
  });

  it('suggests the fix for a typo while the person is still typing, and applies it in one click', async () => {
    const field = page.locator('#email');
    await field.click();
    await field.fill('');
    await field.pressSequentially('carol@gmial.com', { delay: 15 });
    const badge = badgeFor(page, 'email');
    const suggestion = badge.locator('.mp-suggestion');
    await expect.poll(() => suggestion.isVisible(), { timeout: 5_000 }).toBe(true);
    expect(await suggestion.textContent()).toBe('Did you mean carol@gmail.com?');
    expect(await badgeVerdict(page, 'email')).toBe('idle');
    await saveFieldScreenshot(page, field, 'badge-typo-suggestion', { below: 140 });
    await suggestion.click();
    expect(await field.inputValue()).toBe('carol@gmail.com');
    // The corrected address is checked at once. (The lab's DNS answers for .test only, so
    // gmail.com cannot be looked up here: "unknown", DNS lookup failed.)
    await expect.poll(() => badgeVerdict(page, 'email'), { timeout: 20_000 }).toBe('unknown');
    expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('never checks a value the page’s own script put into a field', async () => {
    await page.evaluate(() => {
      const field = document.getElementById('scripted') as HTMLInputElement;
      field.focus();
      // An address the person never typed on this page.
      field.value = 'bob@valid.test';
      field.dispatchEvent(new Event('input', { bubbles: true }));
      field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      field.blur();
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await badgeVerdict(page, 'scripted')).toBe('idle');
    // The person confirming it (typing over it, then leaving) does check it.
    await typeAndLeave(page, '#scripted', 'bob@valid.test');
    await expect.poll(() => badgeVerdict(page, 'scripted'), { timeout: 20_000 }).toBe('deliverable');
  });

  it('follows its field when a scroll container scrolls', async () => {
    await typeAndLeave(page, '#backup', 'alice@valid.test');
    await expect.poll(() => badgeVerdict(page, 'backup'), { timeout: 20_000 }).toBe('deliverable');
    const offset = async () => {
      const f = (await page.locator('#backup').boundingBox())!;
      const b = (await badgeFor(page, 'backup').boundingBox())!;
      return { dx: Math.round(b.x - f.x), dy: Math.round(b.y - f.y), fieldY: Math.round(f.y) };
    };
    const start = await offset();
    await page.locator('#scroller').evaluate((el) => el.scrollBy(0, 40));
    await expect.poll(async () => (await offset()).fieldY).toBe(start.fieldY - 40);
    expect(await offset()).toEqual({ ...start, fieldY: start.fieldY - 40 });
    // Scrolled out of its container (its middle no longer shows): the badge hides rather than
    // float over the page.
    await page.locator('#scroller').evaluate((el) => el.scrollBy(0, 200));
    await expect.poll(() => badgeFor(page, 'backup').isVisible()).toBe(false);
  });

  it('works inside shadow DOM, in frames, and on fields added after load', async () => {
    await typeAndLeave(page, '#shadow-email', 'alice@valid.test');
    await expect.poll(() => badgeVerdict(page, 'shadow-email'), { timeout: 20_000 }).toBe('deliverable');
    await typeAndLeave(page, '#late', 'nobody@valid.test');
    await expect.poll(() => badgeVerdict(page, 'late'), { timeout: 20_000 }).toBe('undeliverable');
    const frame = page.frame({ url: /frame\.html$/ })!;
    await typeAndLeave(frame, '#framed', 'x@catchall.test');
    await expect.poll(() => badgeVerdict(frame, 'framed'), { timeout: 20_000 }).toBe('risky');
  });
});

describe('isolation from the page', () => {
  it('looks the same on a dark page whose styles target the badge', async () => {
    const hostile = await suite.open(suite.site.url('hostile.html'));
    try {
      await typeAndLeave(hostile, '#email', 'alice@valid.test');
      await expect.poll(() => badgeVerdict(hostile, 'email'), { timeout: 20_000 }).toBe('deliverable');
      const badge = badgeFor(hostile, 'email');
      expect(await badge.isVisible()).toBe(true);
      const box = (await badge.boundingBox())!;
      expect([box.width, box.height]).toEqual([18, 18]);
      const look = await badge.evaluate((el) => {
        const circle = el.shadowRoot!.querySelector('circle')!;
        return { fill: getComputedStyle(circle).fill, transform: getComputedStyle(el).transform };
      });
      expect(look).toEqual({ fill: 'rgb(26, 127, 55)', transform: 'none' });
      // Tab from the page's last field lands on the badge (keyboard access); click away for the picture.
      await hostile.mouse.click(5, 5);
      await saveFieldScreenshot(hostile, hostile.locator('#email'), 'badge-hostile-dark-page');
    } finally {
      await hostile.close();
    }
  });
});
