import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startLinkedBackground } from '@/test-support/linked-background';
import { nobodyUndeliverable } from '@/test-support/scripted-daemon';
import { until, wait } from '@/test-support/until';
import { BADGE_TAG } from '@/components/badge/badge-element';
import { BadgeLayer } from './badge-layer';

/**
 * Badges on a page, end to end inside happy-dom: the content script's layer, the port, the
 * background's service and client, and a WebSocket server speaking the daemon's protocol.
 * (Positions need a real layout engine: tests/e2e checks them in Chromium.)
 */

const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  fakeBrowser.reset();
  document.body.innerHTML = '';
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { trustEveryEvent?: boolean } = {}) {
  const { daemon, link, stop } = await startLinkedBackground(nobodyUndeliverable(30));
  cleanups.push(stop);
  // happy-dom's events are all script-made (isTrusted false): most tests stand in for a person.
  const layer = new BadgeLayer({
    doc: document,
    link,
    openOptions: () => {},
    schedule: (work) => setTimeout(work, 0),
    pauseMs: 20,
    ...(options.trustEveryEvent !== false && { isTrusted: () => true }),
  });
  current = layer;
  cleanups.push(() => layer.stop());
  return { daemon, layer };
}

let current: BadgeLayer | null = null;
/** The badge hosts of the running layer (happy-dom has no layout, so none is ever shown or attached). */
const badges = () => [...(current?.badges.values() ?? [])].map((b) => b.element.host);

function type(input: HTMLInputElement, text: string): void {
  input.focus();
  for (let i = 1; i <= text.length; i++) {
    input.value = text.slice(0, i);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

describe('badges on a sign-up form', () => {
  it('checks when the person leaves the field, never while typing, and ends deliverable', async () => {
    document.body.innerHTML = '<form><label>Email <input id="email" name="email"></label><input name="city"></form>';
    const { daemon, layer } = await setup();
    layer.start();
    expect(badges()).toHaveLength(1);
    const input = document.getElementById('email') as HTMLInputElement;
    const badge = badges()[0]!;
    expect(badge.dataset.verdict).toBe('idle');
    expect(badge.getAttribute('role')).toBe('button');
    expect(badge.getAttribute('tabindex')).toBe('0');
    expect(badge.localName).toBe(BADGE_TAG);
    // Never shown (no layout here), so never added to the page.
    expect(document.querySelector(BADGE_TAG)).toBeNull();

    type(input, 'alice@valid.test');
    await wait(80); // longer than the typing pause
    expect(daemon.verifies).toHaveLength(0);
    expect(badge.dataset.verdict).toBe('idle');

    input.blur();
    expect(badge.dataset.verdict).toBe('checking');
    await until(() => badge.dataset.verdict === 'deliverable');
    expect(daemon.verifies.map((v) => v.address)).toEqual(['alice@valid.test']);
    expect(badge.getAttribute('aria-label')).toBe('MailPing, alice@valid.test: Deliverable. Show details.');
  });

  it('checks on Enter too, and shows undeliverable', async () => {
    document.body.innerHTML = '<input type="email" id="e">';
    const { layer } = await setup();
    layer.start();
    const input = document.getElementById('e') as HTMLInputElement;
    type(input, 'nobody@valid.test');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await until(() => badges()[0]?.dataset.verdict === 'undeliverable');
  });

  it('marks a malformed address invalid on its own, and suggests a fix for a typo while typing', async () => {
    document.body.innerHTML = '<input type="email" id="e">';
    const { daemon, layer } = await setup();
    layer.start();
    const input = document.getElementById('e') as HTMLInputElement;
    const badge = badges()[0]!;
    type(input, 'bob@gmial.com');
    await wait(60);
    const badgeObject = [...layer.badges.values()][0]!;
    expect(badgeObject.state.suggestion).toBe('bob@gmail.com');
    expect(daemon.verifies).toHaveLength(0);

    input.value = 'bob@';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.blur();
    expect(badge.dataset.verdict).toBe('invalid');
    await wait(50);
    expect(daemon.verifies).toHaveLength(0);
  });

  it('puts badges on fields added later and removes them with their field', async () => {
    const { layer } = await setup();
    layer.start();
    expect(badges()).toHaveLength(0);
    const form = document.createElement('form');
    form.innerHTML = '<input type="email"><input autocomplete="email">';
    document.body.append(form);
    await until(() => badges().length === 2);
    form.remove();
    await until(() => badges().length === 0);
  });

  it('removes every badge when stopped (badges switched off, or the site silenced)', async () => {
    document.body.innerHTML = '<input type="email"><input type="email">';
    const { layer } = await setup();
    layer.start();
    expect(badges()).toHaveLength(2);
    layer.stop();
    expect(badges()).toHaveLength(0);
  });

  it('never checks a value the page put there by script, so no page can use MailPing as an oracle', async () => {
    document.body.innerHTML = '<input type="email" id="e">';
    const { daemon, layer } = await setup({ trustEveryEvent: false });
    layer.start();
    const input = document.getElementById('e') as HTMLInputElement;
    // What a hostile page can do: set a value, fire events, focus and blur.
    input.focus();
    input.value = 'target@valid.test';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    input.blur();
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await wait(100);
    expect(daemon.verifies).toHaveLength(0);
    expect(daemon.received.filter((m) => m.type === 'verify')).toHaveLength(0);
    expect(badges()[0]!.dataset.verdict).toBe('idle');
  });
});
