import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { BackgroundLink, type PortLike } from '@/lib/background-link';
import type { ContentRequests } from '@/lib/messages';
import { askBackground, CHECKS_PORT, isEnvelope } from '@/lib/messaging';
import { collectWithFrames } from '@/lib/page-addresses';
import { autoBadgesItem, silentSitesItem, warnBeforeSendItem, webmailChecksItem } from '@/lib/settings';
import { isSilentSite } from '@/lib/site-match';
import { onAdaptersRegistered, registeredAdapters } from '@/webmail/adapter-registry';
import { genericAdapter } from '@/webmail/generic';
import { isWebmailHost } from '@/webmail/known-hosts';
import { WebmailEngine } from '@/webmail/webmail-engine';
import { BadgeLayer } from './badge-layer';
import { Toasts } from './toast';

/**
 * On every page and frame: the inline badges (unless switched off, or the site is silenced),
 * webmail recipient checks (webmail/: the engine and the generic adapter here; the site
 * adapters arrive from the webmail-adapters entrypoint on their own hosts) and the context
 * menu's toast (always: the person asked for it). Kept small: no zod, no framework, only
 * shared's syntax check and typo suggestion besides our own code (see the bundle size in
 * tests/bench/content-detection.ts).
 */
export default defineContentScript({
  matches: ['<all_urls>'],
  allFrames: true,
  matchAboutBlank: true,
  runAt: 'document_idle',
  noScriptStartedPostMessage: true,
  main(ctx) {
    const doc = document;
    // XML and SVG documents have no place for badges.
    if (!(doc.documentElement instanceof HTMLElement)) return;

    const link = new BackgroundLink({ connect: () => browser.runtime.connect({ name: CHECKS_PORT }) as unknown as PortLike });
    const openOptions = () => void askBackground('openOptions', {});
    const toasts = new Toasts(doc, link, openOptions);
    let layer: BadgeLayer | null = null;
    let webmail: WebmailEngine | null = null;

    ctx.addEventListener(doc, 'contextmenu', (e) => toasts.rememberContextMenu(e), { capture: true, passive: true });
    const onMessage = (message: unknown): Promise<ContentRequests[keyof ContentRequests]['response']> | undefined => {
      if (!isEnvelope(message)) return undefined;
      if (message.kind === 'showToast') {
        const { address } = (message.data ?? {}) as { address?: unknown };
        return Promise.resolve(toasts.show(typeof address === 'string' ? address : null));
      }
      if (message.kind === 'pageAddresses' && window === window.top) {
        const { limit } = (message.data ?? {}) as { limit?: unknown };
        return Promise.resolve(collectWithFrames(typeof limit === 'number' ? Math.min(limit, 1000) : 500, doc));
      }
      if (message.kind === 'siteInfo' && window === window.top) {
        const known = registeredAdapters().find((a) => a.matches(location));
        return Promise.resolve({ host: location.hostname, webmail: known?.name ?? webmail?.adapterName ?? null });
      }
      return undefined;
    };
    browser.runtime.onMessage.addListener(onMessage);

    const hosts = siteHosts();
    // On a webmail's own host its adapter works in the top frame; its other frames (message
    // bodies, widgets) are left alone rather than guessed at by the generic adapter.
    const webmailHere = !(hosts.some(isWebmailHost) && window !== window.top);
    const startWebmail = () => {
      webmail = new WebmailEngine({
        doc,
        link,
        adapters: () => [...registeredAdapters().filter((a) => a.matches(location)), genericAdapter],
        trustedHost: isWebmailHost(location.hostname),
        openOptions,
        reportHover: (address) => void askBackground('addressHover', { address }),
        onRecipientEntries: (entries) => {
          for (const entry of entries) if (entry instanceof HTMLInputElement) layer?.release(entry);
        },
        warnBeforeSend: () => settings.warnBeforeSend,
      });
      webmail.start();
    };
    const apply = (s: typeof settings) => {
      const silenced = hosts.some((host) => isSilentSite(host, s.silent));
      const wantWebmail = s.webmail && !silenced && webmailHere;
      if (wantWebmail && !webmail) startWebmail();
      else if (!wantWebmail && webmail) {
        webmail.stop();
        webmail = null;
      }
      const wanted = s.autoBadges && !silenced;
      if (wanted && !layer) {
        layer = new BadgeLayer({ doc, link, openOptions, skip: (input) => webmail?.isRecipientEntry(input) ?? false });
        layer.start();
      } else if (!wanted && layer) {
        layer.stop();
        layer = null;
      }
    };
    let settings = {
      autoBadges: autoBadgesItem.fallback,
      silent: silentSitesItem.fallback,
      webmail: webmailChecksItem.fallback,
      warnBeforeSend: warnBeforeSendItem.fallback,
    };
    void Promise.all([autoBadgesItem.getValue(), silentSitesItem.getValue(), webmailChecksItem.getValue(), warnBeforeSendItem.getValue()]).then(
      ([autoBadges, silent, webmailOn, warnBeforeSend]) => {
        settings = { autoBadges, silent, webmail: webmailOn, warnBeforeSend };
        if (ctx.isValid) apply(settings);
      },
    );
    const unwatchBadges = autoBadgesItem.watch((autoBadges) => apply((settings = { ...settings, autoBadges })));
    const unwatchSilent = silentSitesItem.watch((silent) => apply((settings = { ...settings, silent })));
    const unwatchWebmail = webmailChecksItem.watch((webmailOn) => apply((settings = { ...settings, webmail: webmailOn })));
    const unwatchWarn = warnBeforeSendItem.watch((warnBeforeSend) => (settings = { ...settings, warnBeforeSend }));
    // The site adapters registered after the engine started (an unusual script order): look again.
    const unwatchAdapters = onAdaptersRegistered(() => webmail?.discover());

    // The extension was updated or removed: leave the page as it was.
    ctx.onInvalidated(() => {
      unwatchBadges();
      unwatchSilent();
      unwatchWebmail();
      unwatchWarn();
      unwatchAdapters();
      browser.runtime.onMessage.removeListener(onMessage);
      webmail?.stop();
      layer?.stop();
      toasts.close();
      link.close();
    });
  },
});

/** This frame's host and, for a frame, the top page's host: silencing a site covers its frames. */
function siteHosts(): string[] {
  const hosts = [location.hostname];
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length > 0) {
    try {
      hosts.push(new URL(ancestors[ancestors.length - 1]!).hostname);
    } catch {
      // An opaque origin.
    }
  }
  return hosts.filter((h) => h !== '');
}
