import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

// Each test starts from an empty browser storage and a fresh module (its items migrate on load).
beforeEach(() => {
  fakeBrowser.reset();
  vi.resetModules();
});

/** The settings module as a fresh background would load it: its items run their migrations on load. */
const load = () => import('./daemon-settings');

describe('daemon endpoint settings', () => {
  it('migrates a version-1 host and port to a ws:// URL on this machine', async () => {
    await fakeBrowser.storage.local.set({ daemonEndpoint: { host: '127.0.0.1', port: 7500 }, daemonEndpoint$: { v: 1 } });
    const settings = await load();
    expect(await settings.daemonEndpointItem.getValue()).toEqual({ url: 'ws://127.0.0.1:7500' });
    expect(await fakeBrowser.storage.local.get('daemonEndpoint$')).toEqual({ daemonEndpoint$: { v: 2 } });
    const effective = await settings.loadEffectiveEndpoint();
    expect(effective).toMatchObject({ managed: false, daemon: { webSocketUrl: 'ws://127.0.0.1:7500/ws', label: '127.0.0.1:7500', local: true } });
  });

  it('migrates an IPv6 loopback host with its brackets', async () => {
    await fakeBrowser.storage.local.set({ daemonEndpoint: { host: '::1', port: 7425 }, daemonEndpoint$: { v: 1 } });
    const settings = await load();
    expect(await settings.daemonEndpointItem.getValue()).toEqual({ url: 'ws://[::1]:7425' });
  });

  it('needs no setup: a fresh install talks to 127.0.0.1:7425 in plain text', async () => {
    const settings = await load();
    const effective = await settings.loadEffectiveEndpoint();
    expect(effective).toMatchObject({ managed: false, daemon: { webSocketUrl: 'ws://127.0.0.1:7425/ws', healthUrl: 'http://127.0.0.1:7425/health' } });
  });

  it('prefers the administrator’s URL from managed storage over the person’s own', async () => {
    await fakeBrowser.storage.local.set({ daemonEndpoint: { url: 'ws://127.0.0.1:7500' }, daemonEndpoint$: { v: 2 } });
    await fakeBrowser.storage.managed.set({ serverUrl: 'wss://verify.example.com' });
    const settings = await load();
    expect(await settings.loadEffectiveEndpoint()).toMatchObject({ managed: true, daemon: { webSocketUrl: 'wss://verify.example.com/ws', label: 'verify.example.com' } });
  });

  it('ignores an administrator’s plain-text URL to another host, and says why', async () => {
    await fakeBrowser.storage.managed.set({ serverUrl: 'ws://verify.example.com' });
    const settings = await load();
    const effective = await settings.loadEffectiveEndpoint();
    expect(effective.managed).toBe(false);
    expect(effective.daemon.url).toBe('ws://127.0.0.1:7425');
    expect(effective.managedProblem).toMatch(/unencrypted/);
  });
});
