import { browser, type Browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { z } from 'zod';
import type { DaemonStatusView } from '@/lib/messages';
import { askContent, CHECKS_PORT } from '@/lib/messaging';
import { collectPageAddresses, mergeAddressLists } from '@/lib/page-addresses';
import {
  daemonEndpointItem,
  DEFAULT_ENDPOINT,
  DEFAULT_REVERIFY_HOURS,
  loadEffectiveEndpoint,
  managedServerUrlItem,
  pairingItem,
  reverifyHoursItem,
  type Pairing,
} from '@/lib/daemon-settings';
import { daemonUrlOf, type DaemonUrl } from '@/lib/daemon-url';
import { loadPairingToken, storePairingToken } from '@/lib/token-store';
import { DaemonClient } from './daemon-client';
import { probeHealth } from './health-probe';
import { createMenus, handleMenuClick, showAddressItem, shownAddress, type MenuClick } from './menus';
import { PortHub } from './port-hub';
import { createRequestRouter } from './request-router';
import { ResultCache } from './result-cache';
import { pendingChecksItem, resultCacheItem, tabChecksItem } from './session-items';
import { TabChecks } from './tab-checks';
import { clearToolbar, showOnToolbar } from './toolbar-badge';
import { VerificationService } from './verification-service';

const HOUR_MS = 3_600_000;
const PENDING_ALARM = 'mailping:pending';

/**
 * Only the background talks to the daemon. main() stays synchronous: every listener is
 * registered before it returns, so the event that woke a stopped worker is not missed; the
 * state a previous worker left (cache, pending checks, tab badges) is loaded behind `ready`.
 */
export default defineBackground(() => {
  // Extension pages forbid eval: tell zod not to probe for it (it would fall back anyway).
  z.config({ jitless: true });
  let where: DaemonUrl = daemonUrlOf(DEFAULT_ENDPOINT.url);
  let reverifyMs = DEFAULT_REVERIFY_HOURS * HOUR_MS;
  let paired = false;
  /** The pairing this worker just wrote (its pairedAt): seeing it in storage needs no reconnect. */
  let ownPairedAt: string | null = null;

  /** A pairing with its token still in storage.local (older versions kept it there): moved to the token store. */
  const adopt = async (pairing: Pairing): Promise<void> => {
    if (!pairing.token) return;
    await storePairingToken(pairing.token);
    ownPairedAt = pairing.pairedAt;
    await pairingItem.setValue({ endpoint: pairing.endpoint, pairedAt: pairing.pairedAt });
  };

  const cache = new ResultCache({ load: () => resultCacheItem.getValue(), save: (entries) => resultCacheItem.setValue(entries) });

  const client = new DaemonClient({
    createSocket: (url) => new WebSocket(url),
    loadConfig: async () => {
      const [effective, pairing] = await Promise.all([loadEffectiveEndpoint(), pairingItem.getValue()]);
      const moved = effective.daemon.url !== where.url;
      where = effective.daemon;
      paired = pairing !== null;
      // The status may stay the same ("not paired") while the place it is about changed.
      if (moved) hub.broadcastStatus(statusView());
      if (pairing) await adopt(pairing);
      return { url: where.webSocketUrl, healthUrl: where.healthUrl, token: pairing ? await loadPairingToken() : null };
    },
    // A server elsewhere has no health probe (it would need a host permission): its status says
    // "cannot reach" for a refusal and an outage alike.
    probe: (url) => (url === null ? Promise.resolve(false) : probeHealth(url)),
    saveToken: async (token) => {
      paired = true;
      await storePairingToken(token);
      ownPairedAt = new Date().toISOString();
      await pairingItem.setValue({ endpoint: where.label, pairedAt: ownPairedAt });
    },
    onStatus: (status) => {
      service.setStatus(status);
      hub.broadcastStatus(statusView());
    },
    onUpdate: (result) => service.applyUpdate(result),
    // An extension API call resets the idle timer while nothing crosses the WebSocket (the
    // daemon is down and checks wait): the worker stays up to retry instead of being stopped.
    onKeepalive: () => void browser.runtime.getPlatformInfo().catch(() => undefined),
    clientInfo: { name: 'mailping-extension', version: browser.runtime.getManifest().version },
  });

  const service = new VerificationService({
    client,
    cache,
    reverifyMs: () => reverifyMs,
    savePending: (checks) => {
      void pendingChecksItem.setValue(checks);
      syncPendingAlarm(checks.length);
    },
  });

  const statusView = (): DaemonStatusView => ({
    status: client.status,
    endpoint: where.label,
    server: where.local ? null : where.label,
    paired,
    pending: service.pendingCount,
  });

  const tabs = new TabChecks({
    keyOf: (address) => service.keyOf(address),
    show: (tabId, address, state) => void showOnToolbar(tabId, address, state),
    clear: (tabId) => void clearToolbar(tabId),
    save: (checks) => void tabChecksItem.setValue(checks),
  });
  service.onState((key, state) => tabs.update(key, state));

  const ready = (async () => {
    const [hours, pairing, effective, saved, savedTabs] = await Promise.all([
      reverifyHoursItem.getValue(),
      pairingItem.getValue(),
      loadEffectiveEndpoint(),
      pendingChecksItem.getValue(),
      tabChecksItem.getValue(),
      cache.load(),
    ]);
    reverifyMs = hours * HOUR_MS;
    paired = pairing !== null;
    if (pairing) await adopt(pairing);
    where = effective.daemon;
    tabs.load(savedTabs);
    service.restore(saved);
  })().catch((error: unknown) => {
    // Start empty rather than never: a lost cache costs a re-check, a stuck `ready` costs everything.
    console.error('MailPing: could not restore the previous state', error);
  });

  const hub = new PortHub(service, ready, statusView);

  // A woken worker needs nothing more than this: `ready` re-sends what was pending. Set when the
  // first check starts waiting, cleared when the last one is answered (re-creating it on every
  // change would keep pushing its first firing back).
  let alarmSet: boolean | null = null;
  function syncPendingAlarm(pending: number): void {
    if ((pending > 0) === alarmSet) return;
    alarmSet = pending > 0;
    if (alarmSet) void browser.alarms.create(PENDING_ALARM, { periodInMinutes: 1 });
    else void browser.alarms.clear(PENDING_ALARM);
  }

  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== CHECKS_PORT) return;
    hub.accept(port);
    client.connect();
  });

  browser.runtime.onMessage.addListener(
    createRequestRouter(
      {
        getStatus: async () => {
          await ready;
          client.connect();
          return statusView();
        },
        reconnect: async () => {
          await ready;
          client.restart();
          return statusView();
        },
        pair: async ({ code, label }) => {
          const outcome = await client.pair(code, label);
          return outcome.ok ? { ok: true, value: statusView() } : outcome;
        },
        unpair: async () => {
          ownPairedAt = null;
          paired = false;
          await storePairingToken(null);
          await pairingItem.setValue(null);
          client.restart();
          return statusView();
        },
        history: ({ limit }) => client.history(limit),
        tabCheck: async ({ tabId }) => {
          await ready;
          return tabs.get(tabId);
        },
        pageAddresses: async ({ tabId }) => {
          // The page's own content script first (no permission needed); for a tab it does not
          // run in (opened before MailPing was installed), the popup's click granted activeTab.
          const fromContent = await askContent({ tabId, frameId: 0 }, 'pageAddresses', { limit: 500 });
          if (fromContent) return { ok: true, value: mergeAddressLists([fromContent], 500) };
          try {
            const frames = await browser.scripting.executeScript({ target: { tabId, allFrames: true }, func: collectPageAddresses, args: [500] });
            return { ok: true, value: mergeAddressLists(frames.map((f) => f.result), 500) };
          } catch {
            return { ok: false, message: 'MailPing cannot read this page (browser pages and the web store are off limits to extensions).' };
          }
        },
        openOptions: async () => {
          await browser.runtime.openOptionsPage();
          return null;
        },
        addressHover: async ({ address }) => {
          await showAddressItem(address);
          return null;
        },
      },
      browser.runtime.getURL('/'),
    ),
  );

  const onMenuClick = (info: MenuClick, tab: Browser.tabs.Tab | undefined) =>
    ready.then(() =>
      handleMenuClick(info, tab, {
        track: (tabId, address) => {
          if (address === null) tabs.forget(tabId);
          else tabs.set(tabId, address, service.check(address));
        },
      }),
    );
  browser.contextMenus.onClicked.addListener((info, tab) => void onMenuClick(info, tab));
  // A native context menu cannot be clicked by automation: the end-to-end tests (and anyone in
  // the worker's DevTools console) run the same handler through this.
  (globalThis as { mailpingDebug?: unknown }).mailpingDebug = { menuClicked: onMenuClick, shownAddress };
  browser.runtime.onInstalled.addListener(() => void createMenus());
  browser.tabs.onRemoved.addListener((tabId) => tabs.forget(tabId));
  // A new page in the tab: the last page's result no longer belongs on its toolbar icon.
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (change.status === 'loading') void ready.then(() => tabs.forget(tabId));
  });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === PENDING_ALARM) void ready.then(() => client.connect());
  });

  // loadConfig reads the endpoint in force again (the administrator's, or the person's).
  daemonEndpointItem.watch(() => client.restart());
  managedServerUrlItem.watch(() => client.restart());
  pairingItem.watch((pairing) => {
    paired = pairing !== null;
    if (pairing?.token) {
      void adopt(pairing).then(() => client.restart());
      return;
    }
    // Our own write needs no reconnect, unless a connection attempt read the storage between the
    // token and the pairing item and gave up as not paired.
    if (pairing !== null && pairing.pairedAt === ownPairedAt && client.status.kind !== 'not_paired') return;
    client.restart();
  });
  reverifyHoursItem.watch((hours) => {
    reverifyMs = hours * HOUR_MS;
  });

  void ready.then(() => {
    if (service.pendingCount > 0) client.connect();
  });
});
