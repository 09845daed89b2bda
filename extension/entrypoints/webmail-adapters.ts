import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { registerAdapters } from '@/webmail/adapter-registry';
import { fastmailAdapter } from '@/webmail/fastmail';
import { gmailAdapter } from '@/webmail/gmail';
import { outlookAdapter } from '@/webmail/outlook';
import { protonAdapter } from '@/webmail/proton';
import { yahooAdapter } from '@/webmail/yahoo';

/**
 * The site adapters, declared in wxt.config.ts as a content script for the webmails' own hosts
 * only (webmail/known-hosts.ts) and run before the main content script (document_start). The
 * main content script carries the engine and the generic adapter everywhere and picks these up
 * through the registry they share in the frame's isolated world. A plain script rather than a
 * WXT content script: it needs no browser API, so it ships without the polyfill and the
 * script context (half its size).
 */
export default defineUnlistedScript(() => {
  registerAdapters([gmailAdapter, outlookAdapter, yahooAdapter, protonAdapter, fastmailAdapter]);
});
