import type { Browser } from 'wxt/browser';
import type { z } from 'zod';
import {
  backgroundRequestSchemas,
  PRIVILEGED_REQUESTS,
  type BackgroundRequestKind,
  type BackgroundResponses,
} from '@/lib/messages';
import { isEnvelope } from '@/lib/messaging';

/**
 * The background's side of the one-shot requests: every message is checked against its schema,
 * and the requests that reveal or change anything (pairing, history, a tab's addresses) are
 * only served to the extension's own pages, never to a content script (which lives in a web
 * page's process).
 */
export type RequestHandlers = {
  [K in BackgroundRequestKind]: (
    data: z.output<(typeof backgroundRequestSchemas)[K]>,
    sender: Browser.runtime.MessageSender,
  ) => Promise<BackgroundResponses[K]> | BackgroundResponses[K];
};

export function createRequestRouter(handlers: RequestHandlers, extensionOrigin: string) {
  // A content script's sender.url is its page's URL; only our own pages have our origin.
  const fromExtensionPage = (sender: Browser.runtime.MessageSender) => sender.url?.startsWith(extensionOrigin) === true;

  return (message: unknown, sender: Browser.runtime.MessageSender): Promise<unknown> | undefined => {
    if (!isEnvelope(message) || !Object.hasOwn(backgroundRequestSchemas, message.kind)) return undefined;
    const kind = message.kind as BackgroundRequestKind;
    if (PRIVILEGED_REQUESTS.has(kind) && !fromExtensionPage(sender)) return Promise.resolve(null);
    const parsed = backgroundRequestSchemas[kind].safeParse(message.data);
    if (!parsed.success) return Promise.resolve(null);
    const handler = handlers[kind] as (data: unknown, sender: Browser.runtime.MessageSender) => unknown;
    return Promise.resolve(handler(parsed.data, sender)).catch(() => null);
  };
}
