import type { Page } from 'playwright-core';

/**
 * Runs an expression in MailPing's content script world of a page (Chrome's isolated world named
 * after the extension), through the DevTools protocol: what any content script could do there,
 * such as read browser.storage. Playwright's own evaluate runs in the page's world.
 */
export async function evaluateInContentScript<T>(page: Page, expression: string): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const contexts: { id: number; name: string; auxData?: { type?: string } }[] = [];
    cdp.on('Runtime.executionContextCreated', (event) => contexts.push(event.context));
    // Enabling reports the contexts that already exist before it returns.
    await cdp.send('Runtime.enable');
    const find = () => contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'MailPing');
    // The content script runs at document_idle: its world may come a moment after the load.
    for (let waited = 0; !find() && waited < 5000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    const world = find();
    if (!world) throw new Error(`no MailPing content script world in ${page.url()} (${contexts.map((c) => c.name || c.auxData?.type).join(', ')})`);
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, contextId: world.id, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(`in the content script: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  } finally {
    await cdp.detach();
  }
}
