/**
 * Mail providers whose MX answers 250 to RCPT for addresses that do not exist, and bounce later.
 * A "yes" from them says nothing, so it is reported as `risky/accept_all_provider`, not deliverable.
 */
export interface AcceptAllProvider {
  name: string;
  mx: RegExp;
  /**
   * true: every RCPT is accepted, so even a refused random probe proves nothing about the address.
   * false: only tenants without recipient validation accept everything; a refused probe shows
   * this tenant validates, and then its "yes" counts.
   */
  always: boolean;
}

export const ACCEPT_ALL_PROVIDERS: readonly AcceptAllProvider[] = [
  // Yahoo and AOL mailboxes: mta5.am0.yahoodns.net and friends accept any local part at RCPT time.
  { name: 'Yahoo', mx: /(^|\.)yahoodns\.net$/i, always: true },
  // Microsoft 365 tenants without Directory Based Edge Blocking accept any recipient, then bounce.
  { name: 'Microsoft 365', mx: /(^|\.)mail\.protection\.outlook\.com$/i, always: false },
];

export function acceptAllProvider(mxHost: string | null): AcceptAllProvider | null {
  if (!mxHost) return null;
  return ACCEPT_ALL_PROVIDERS.find((p) => p.mx.test(mxHost.replace(/\.$/, ''))) ?? null;
}
