// The lists behind an address's flags, imported only by flags.ts's loader (a chunk of its own in
// the bundle). Imported, not read at run time, so the build bundles them: free-email-domains
// cannot be a dependency of the installed package (its postinstall downloads the list anew).
// @ts-expect-error -- a CommonJS array without type declarations
import roleAccounts from 'role-based-email-addresses';
import disposable from 'disposable-email-domains/index.json' with { type: 'json' };
// Domains listed here are disposable with every subdomain (x.33mail.com).
import disposableWildcards from 'disposable-email-domains/wildcard.json' with { type: 'json' };
import freeProviders from 'free-email-domains/domains.json' with { type: 'json' };

export const addressLists = {
  disposable: new Set<string>(disposable),
  disposableWildcards: disposableWildcards as string[],
  free: new Set<string>(freeProviders),
  roles: new Set((roleAccounts as string[]).map((r) => r.toLowerCase())),
};
