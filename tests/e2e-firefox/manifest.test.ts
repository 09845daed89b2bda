import { readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';

/**
 * The Firefox build's own extension-page policy (issue 9): without it Firefox applies its MV3
 * default, whose upgrade-insecure-requests turns the background's ws://127.0.0.1 into wss://.
 * The browser tests catch that too (nothing verifies); this says why in one line.
 */
describe('Firefox manifest', () => {
  it('sets its own extension-page CSP, without upgrade-insecure-requests', async () => {
    const manifest = JSON.parse(await readFile(`${inject('firefoxExtensionDir')}/manifest.json`, 'utf8')) as {
      manifest_version: number;
      content_security_policy?: { extension_pages?: string };
    };
    expect(manifest.manifest_version).toBe(3);
    const policy = manifest.content_security_policy?.extension_pages;
    expect(policy).toMatch(/script-src 'self'/);
    expect(policy).not.toMatch(/upgrade-insecure-requests/);
  });
});
