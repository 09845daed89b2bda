import { beforeEach, describe, expect, it } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { TabCheck } from '@/lib/messages';
import { sampleResult } from '@/test-support/scripted-daemon';
import { addressFromClick, MENU_MAILTO, MENU_TEXT } from './menus';
import { TabChecks } from './tab-checks';
import { clearToolbar, showOnToolbar } from './toolbar-badge';

beforeEach(() => fakeBrowser.reset());

function tabChecks(saved: Record<string, TabCheck>[] = []) {
  return new TabChecks({
    keyOf: (a) => a.trim().toLowerCase(),
    show: (tabId, address, state) => void showOnToolbar(tabId, address, state),
    clear: (tabId) => void clearToolbar(tabId),
    save: (checks) => saved.push(checks),
  });
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the context menu\u2019s result on the toolbar', () => {
  it('shows checking, then the verdict, on the tab that asked', async () => {
    const saved: Record<string, TabCheck>[] = [];
    const tabs = tabChecks(saved);
    tabs.set(7, 'alice@valid.test', { kind: 'checking', stage: null });
    await flush();
    expect(await browser.action.getBadgeText({ tabId: 7 })).toBe('…');
    tabs.update('alice@valid.test', { kind: 'done', result: sampleResult('alice@valid.test'), cached: false });
    await flush();
    expect(await browser.action.getBadgeText({ tabId: 7 })).toBe('✓');
    expect(await browser.action.getTitle({ tabId: 7 })).toBe('MailPing: alice@valid.test — Deliverable: mailbox exists');
    expect(await browser.action.getBadgeText({ tabId: 8 })).toBe('');
    expect(saved.at(-1)?.['7']).toMatchObject({ address: 'alice@valid.test', state: { kind: 'done' } });
  });

  it('uses a different mark per verdict, and clears when the tab closes', async () => {
    const tabs = tabChecks();
    const marks: string[] = [];
    for (const [verdict, reason] of [
      ['undeliverable', 'mailbox_not_found'],
      ['risky', 'catch_all'],
      ['unknown', 'timeout'],
    ] as const) {
      tabs.set(1, 'x@valid.test', { kind: 'done', result: sampleResult('x@valid.test', { verdict, reason }), cached: false });
      await flush();
      marks.push(await browser.action.getBadgeText({ tabId: 1 }));
    }
    tabs.set(1, 'x@valid.test', { kind: 'waiting', status: { kind: 'not_running', nextAttemptAt: null } });
    await flush();
    marks.push(await browser.action.getBadgeText({ tabId: 1 }));
    expect(marks).toEqual(['✗', '!', '?', 'off']);
    tabs.forget(1);
    await flush();
    expect(await browser.action.getBadgeText({ tabId: 1 })).toBe('');
    expect(tabs.get(1)).toBeNull();
  });

  it('comes back after a worker restart from what was saved', () => {
    const tabs = tabChecks();
    tabs.load({ '3': { address: 'alice@valid.test', state: { kind: 'checking', stage: 'dns' }, at: 1 } });
    expect(tabs.get(3)).toMatchObject({ address: 'alice@valid.test' });
  });
});

describe('what a context menu click is about', () => {
  it('takes the address from a mailto: link, a selection, or leaves it to the field', () => {
    expect(addressFromClick({ menuItemId: MENU_MAILTO, linkUrl: 'mailto:alice@valid.test?subject=x' })).toBe('alice@valid.test');
    expect(addressFromClick({ menuItemId: MENU_TEXT, selectionText: 'Mail nobody@valid.test today' })).toBe('nobody@valid.test');
    expect(addressFromClick({ menuItemId: MENU_TEXT })).toBeNull();
    expect(addressFromClick({ menuItemId: MENU_TEXT, selectionText: 'no address' })).toBeNull();
  });
});
