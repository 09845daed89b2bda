/**
 * What the options page leaves in the extension's storage.local once it is pointed at a daemon
 * (and paired, with a token), for both browsers' suites to write in one step. The token is
 * written where older versions kept it (the pairing item): the background moves it to its token
 * store at once (lib/token-store.ts), so this also exercises that migration.
 */
export function extensionSettingsItems({ port, token }: { port: number; token?: string }): Record<string, unknown> {
  const items: Record<string, unknown> = {
    daemonEndpoint: { url: `ws://127.0.0.1:${port}` },
    daemonEndpoint$: { v: 2 },
  };
  if (token) {
    items.pairing = { token, endpoint: `127.0.0.1:${port}`, pairedAt: new Date().toISOString() };
    items.pairing$ = { v: 1 };
  }
  return items;
}
