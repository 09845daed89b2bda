import type { ErrorCode, ProgressStage, VerificationResult } from '@mailping/shared';
import { z } from 'zod';

/**
 * The one message map between the extension's parts. Only the background talks to the daemon;
 * content scripts, the popup and the options page talk to the background through:
 *
 * - one-shot requests (`runtime.sendMessage`), typed by `BackgroundRequests`;
 * - the "checks" port (`runtime.connect`), for anything that waits on a verification: the
 *   background pushes every state change of a watched address (checking → waiting for the
 *   daemon → done) and the port's disconnect tells the page that the background restarted, so it
 *   watches again and nothing is lost;
 * - one-shot requests from the background to a tab's content script, typed by `ContentRequests`.
 *
 * The background validates what it receives with the schemas below (a content script lives in a
 * web page's process and is not trusted). Pages and content scripts import this file with
 * `import type` only, so zod stays out of their bundles.
 */

// ---- shared state types ---------------------------------------------------------------

/** Where the background stands with the daemon. */
export type DaemonStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; daemonVersion: string }
  /** Nothing answers at the configured address. */
  | { kind: 'not_running'; nextAttemptAt: number | null }
  /** Something answers HTTP there but refuses this browser's WebSocket (origin not allowed, another program). */
  | { kind: 'refused'; nextAttemptAt: number | null }
  | { kind: 'not_paired' }
  /** The daemon refused the token: revoked, or issued by another daemon. */
  | { kind: 'unauthorized'; message: string }
  | { kind: 'incompatible'; message: string };

export type DaemonStatusKind = DaemonStatus['kind'];

export interface DaemonStatusView {
  status: DaemonStatus;
  /** host:port the background talks to (a server: its name). */
  endpoint: string;
  /** The server addresses go to, when it is not on this machine; null for a local daemon. */
  server: string | null;
  paired: boolean;
  /** Checks waiting for an answer. */
  pending: number;
}

/** One address as the background sees it. */
export type CheckState =
  | { kind: 'checking'; stage: ProgressStage | null }
  /** The daemon is unreachable or the browser is not paired; the check is kept and re-sent. */
  | { kind: 'waiting'; status: DaemonStatus }
  | { kind: 'done'; result: VerificationResult; cached: boolean }
  /** The daemon refused this request for good (e.g. invalid_address, cancelled). */
  | { kind: 'failed'; code: ErrorCode | 'internal'; message: string };

// ---- the "checks" port ------------------------------------------------------------------

// The port's name, CHECKS_PORT, lives in lib/messaging.ts: a value exported from here would
// pull this file's schemas (and zod) into the content script.

const address = z.string().min(1).max(320);

export const checksClientMessageSchema = z.discriminatedUnion('type', [
  /** Verify (or re-verify with `fresh`) and push every state change until unwatched. */
  z.object({ type: z.literal('watch'), address, fresh: z.boolean().optional() }),
  z.object({ type: z.literal('unwatch'), address }),
  /** What is already known (cache or a check in progress), without asking the daemon. */
  z.object({ type: z.literal('peek'), address }),
]);
export type ChecksClientMessage = z.infer<typeof checksClientMessageSchema>;

export type ChecksServerMessage =
  /** `state: null` answers a peek about an address nobody checked. */
  | { type: 'state'; address: string; state: CheckState | null }
  | { type: 'status'; status: DaemonStatusView };

// ---- one-shot requests to the background ------------------------------------------------

export interface PageAddress {
  address: string;
  /** Where the page shows it. */
  sources: ('text' | 'mailto')[];
}

/** The check the context menu last started in a tab: the toolbar badge and the popup show it. */
export interface TabCheck {
  address: string;
  state: CheckState;
  at: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

export const backgroundRequestSchemas = {
  getStatus: z.object({}),
  /** Try the daemon now instead of waiting for the next backoff step. */
  reconnect: z.object({}),
  pair: z.object({ code: z.string().trim().min(1).max(32), label: z.string().max(64).optional() }),
  unpair: z.object({}),
  history: z.object({ limit: z.number().int().min(1).max(200) }),
  tabCheck: z.object({ tabId: z.number().int() }),
  pageAddresses: z.object({ tabId: z.number().int() }),
  openOptions: z.object({}),
  /**
   * The address under the pointer in an opened webmail message (null: none any more): the
   * background shows "Verify this email" in the context menu while there is one.
   */
  addressHover: z.object({ address: address.nullable() }),
} as const;

export interface BackgroundResponses {
  getStatus: DaemonStatusView;
  reconnect: DaemonStatusView;
  pair: Outcome<DaemonStatusView>;
  unpair: DaemonStatusView;
  history: Outcome<VerificationResult[]>;
  tabCheck: TabCheck | null;
  pageAddresses: Outcome<{ addresses: PageAddress[]; truncated: boolean }>;
  openOptions: null;
  addressHover: null;
}

export type BackgroundRequestKind = keyof typeof backgroundRequestSchemas;
export type BackgroundRequestData<K extends BackgroundRequestKind> = z.input<(typeof backgroundRequestSchemas)[K]>;
/** Requests only the extension's own pages may make (not content scripts). */
export const PRIVILEGED_REQUESTS: ReadonlySet<BackgroundRequestKind> = new Set([
  'pair',
  'unpair',
  'history',
  'tabCheck',
  'pageAddresses',
]);

// ---- one-shot requests to a content script ----------------------------------------------

export interface ContentRequests {
  /**
   * Show the context menu's result where the person clicked. `address: null` means "the field
   * that was right-clicked": the content script knows which one it was.
   */
  showToast: { request: { address: string | null }; response: { shown: boolean; address: string | null } };
  /** The addresses the page shows (the top frame answers, for itself and its same-origin frames). */
  pageAddresses: { request: { limit: number }; response: { addresses: PageAddress[]; truncated: boolean } };
  /** The page's host (for the popup's per-site switch) and the webmail MailPing recognised there. */
  siteInfo: { request: Record<string, never>; response: SiteInfo };
}

export interface SiteInfo {
  host: string;
  /** "Gmail", "Outlook"…, "webmail" for one found without an adapter, null for none. */
  webmail: string | null;
}

/** The envelope of every one-shot message: the marker keeps other extensions' messages apart. */
export interface Envelope<K extends string, D> {
  mailping: 1;
  kind: K;
  data: D;
}
