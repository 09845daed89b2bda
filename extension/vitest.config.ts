import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// The extension's unit tests: WXT's plugin wires `wxt/browser` to fakeBrowser (an in-memory
// browser API), happy-dom gives the content script a document.
export default defineProject({
  // WXT reads wxt.config.ts from `root`; vitest may run from the repository root.
  plugins: [WxtVitest({ root: fileURLToPath(new URL('.', import.meta.url)) })],
  test: {
    name: 'extension',
    include: ['entrypoints/**/*.test.ts', 'components/**/*.test.ts', 'lib/**/*.test.ts', 'webmail/**/*.test.ts', 'vite/**/*.test.ts'],
    environment: 'happy-dom',
    // Frames are part of what the content script handles: let happy-dom create their documents.
    environmentOptions: { happyDOM: { settings: { enableIframePageLoading: true } } },
    testTimeout: 15_000,
  },
});
