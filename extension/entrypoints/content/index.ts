import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { BackgroundLink, type PortLike } from '@/lib/background-link';
import type { ContentRequests } from '@/lib/messages';
import { askBackground, CHECKS_PORT, isEnvelope } from '@/lib/messaging';
import { collectWithFrames } from '@/lib/page-addresses';
import { autoBadgesItem, silentSitesItem } from '@/lib/settings';
import { isSilentSite } from '@/lib/site-match';
import { BadgeLayer } from './badge-layer';
import { Toasts } from './toast';

/**
 * On every page and frame: the inline badges (unless switched off, or the site is silenced) and
 * the context menu's toast (always: the person asked for it). Kept small: no zod, no framework,
 * only shared's syntax check and typo suggestion besides our own code (see the bundle size in
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
      return undefined;
    };
    browser.runtime.onMessage.addListener(onMessage);

    const hosts = siteHosts();
    const apply = (autoBadges: boolean, silent: string[]) => {
      const wanted = autoBadges && !hosts.some((host) => isSilentSite(host, silent));
      if (wanted && !layer) {
        layer = new BadgeLayer({ doc, link, openOptions });
        layer.start();
      } else if (!wanted && layer) {
        layer.stop();
        layer = null;
      }
    };
    let settings = { autoBadges: autoBadgesItem.fallback, silent: silentSitesItem.fallback };
    void Promise.all([autoBadgesItem.getValue(), silentSitesItem.getValue()]).then(([autoBadges, silent]) => {
      settings = { autoBadges, silent };
      if (ctx.isValid) apply(autoBadges, silent);
    });
    const unwatchBadges = autoBadgesItem.watch((autoBadges) => {
      settings = { ...settings, autoBadges };
      apply(settings.autoBadges, settings.silent);
    });
    const unwatchSilent = silentSitesItem.watch((silent) => {
      settings = { ...settings, silent };
      apply(settings.autoBadges, settings.silent);
    });

    // The extension was updated or removed: leave the page as it was.
    ctx.onInvalidated(() => {
      unwatchBadges();
      unwatchSilent();
      browser.runtime.onMessage.removeListener(onMessage);
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
