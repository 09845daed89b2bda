import { describe, expect, it } from 'vitest';
import { createRequestRouter, type RequestHandlers } from './request-router';

const view = { status: { kind: 'connected', daemonVersion: '1' }, endpoint: '127.0.0.1:7425', server: null, paired: true, pending: 0 } as const;
const handlers: RequestHandlers = {
  getStatus: () => view,
  reconnect: () => view,
  pair: ({ code }) => (code === 'GOOD' ? { ok: true, value: view } : { ok: false, message: 'bad code' }),
  unpair: () => view,
  history: () => ({ ok: true, value: [] }),
  tabCheck: () => null,
  pageAddresses: () => ({ ok: true, value: { addresses: [], truncated: false } }),
  openOptions: () => null,
  addressHover: () => null,
};
const route = createRequestRouter(handlers, 'chrome-extension://abc/');
const fromPopup = { id: 'abc', url: 'chrome-extension://abc/popup.html' };
const fromPage = { id: 'abc', url: 'https://evil.example/', tab: { id: 3 } as never, frameId: 0 };

describe('request router', () => {
  it('serves typed requests from the extension\u2019s pages', async () => {
    expect(await route({ mailping: 1, kind: 'pair', data: { code: 'GOOD' } }, fromPopup)).toEqual({ ok: true, value: view });
    expect(await route({ mailping: 1, kind: 'getStatus', data: {} }, fromPage)).toEqual(view);
  });

  it('keeps pairing and history away from content scripts', async () => {
    expect(await route({ mailping: 1, kind: 'pair', data: { code: 'GOOD' } }, fromPage)).toBeNull();
    expect(await route({ mailping: 1, kind: 'history', data: { limit: 5 } }, fromPage)).toBeNull();
  });

  it('answers malformed requests with null and leaves foreign messages to others', async () => {
    expect(await route({ mailping: 1, kind: 'history', data: { limit: 'all' } }, fromPopup)).toBeNull();
    expect(await route({ mailping: 1, kind: 'pair', data: { code: '' } }, fromPopup)).toBeNull();
    expect(route({ kind: 'getStatus' }, fromPopup)).toBeUndefined();
    expect(route({ mailping: 1, kind: 'toString', data: {} }, fromPopup)).toBeUndefined();
  });
});
