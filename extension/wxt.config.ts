import { CHROME_EXTENSION_KEY } from '@mailping/shared';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';
import { zodWithoutEval } from './vite/zod-without-eval';
import { WEBMAIL_MATCHES } from './webmail/known-hosts';

// The polyfill module aliases `wxt/browser` to a bare specifier that pnpm's strict layout cannot
// resolve from inside wxt's own files; pointing the alias at the file itself fixes that.
const polyfillBrowser = fileURLToPath(import.meta.resolve('@wxt-dev/webextension-polyfill/browser'));

/**
 * One source, two builds: `wxt build` (Chrome MV3, .output/chrome-mv3) and
 * `wxt build -b firefox --mv3` (.output/firefox-mv3).
 *
 * Permissions, and why each is needed:
 * - contextMenus: "Verify this email" on a selection, a mailto: link or an editable field.
 * - storage: settings and the pairing token (local), the results cache and pending checks (session).
 * - activeTab + scripting: the popup reads the addresses on the current page, and the context
 *   menu can show its result in a tab that was open before the extension was installed.
 * - alarms: wakes the background after the browser stopped it while checks were still waiting
 *   for the daemon, so they finish without anyone having to reopen the page.
 * The content script runs on every site (the inline badges, and webmail recipient checks with
 * the generic adapter); the webmail site adapters (webmail-adapters.js) only on the webmails'
 * own hosts. The per-site switch is in the popup and the options.
 * No host permission is requested: the WebSocket to the daemon (local, or a server's wss://) needs
 * none, and the health probe, for a local daemon only, uses a no-cors request that only tells
 * whether something answers.
 */
export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  // The store-package test builds elsewhere, so it never rebuilds under a browser test's feet.
  outDir: process.env.MAILPING_EXTENSION_OUT_DIR ?? '.output',
  // `pnpm --filter @mailping/extension zip`: the store packages, mailping-<version>-chrome.zip and
  // -firefox.zip, and the sources addons.mozilla.org asks for. The extension is built from two
  // workspace packages (extension/ and shared/), so the sources are the workspace minus the daemon
  // and tests: what `pnpm install && pnpm --filter @mailping/extension zip` needs (docs/extension.md).
  zip: {
    name: 'mailping',
    sourcesRoot: fileURLToPath(new URL('..', import.meta.url)),
    excludeSources: ['**/*'],
    includeSources: ['extension/**', 'shared/**', 'package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'tsconfig.base.json', 'README.md', 'docs/extension.md'],
  },
  vite: () => ({
    plugins: [zodWithoutEval()],
    resolve: { alias: { 'wxt/browser': polyfillBrowser } },
    build: { rollupOptions: { treeshake: { moduleSideEffects: (id: string) => !/[\\/]shared[\\/]src[\\/]/.test(id) } } },
  }),
  manifest: ({ browser }) => ({
    name: 'MailPing',
    description: 'Verify email addresses where you type them, through your own MailPing daemon.',
    permissions: ['contextMenus', 'storage', 'activeTab', 'scripting', 'alarms'],
    action: { default_title: 'MailPing' },
    // WXT adds the content scripts it builds after this one (entrypoints/webmail-adapters.ts).
    content_scripts: [{ matches: WEBMAIL_MATCHES, js: ['webmail-adapters.js'], run_at: 'document_start' }],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'mailping@mailping.dev',
              // storage.session and MV3 scripting.executeScript with a function both need 115+;
              // data_collection_permissions is understood from 140 on.
              strict_min_version: '140.0',
              data_collection_permissions: { required: ['none'] },
            },
            // Firefox for Android understands data_collection_permissions from 142 on.
            gecko_android: { strict_min_version: '142.0' },
          },
          // Firefox's default MV3 policy for extension pages is "script-src 'self';
          // upgrade-insecure-requests;", and the upgrade turns the background's
          // ws://127.0.0.1:<port>/ws into wss://: the daemon gets a TLS ClientHello and nothing
          // verifies (the /health probe is not upgraded, so the status looked fine). Our own
          // policy, the same without the upgrade (issue 9; tests/e2e-firefox catch a regression).
          content_security_policy: { extension_pages: "script-src 'self';" },
        }
      : {
          // A public key, not a secret: it pins the Chrome id to the one the daemon allow-lists.
          key: CHROME_EXTENSION_KEY,
          minimum_chrome_version: '116',
          // What an administrator may preset by policy (storage.managed): the server URL. Firefox
          // takes the same values from a managed-storage manifest instead (docs/extension.md).
          storage: { managed_schema: 'managed_schema.json' },
        }),
  }),
});
