/// <reference lib="dom" />
import { afterAll, beforeAll, inject, it } from 'vitest';
import { createE2eDaemon, type E2eDaemon } from './support/e2e-daemon';
import { configureExtension, launchWithExtension, type ExtensionBrowser } from './support/extension-browser';
import { startTestSite, type TestSite } from './support/test-site';
let daemon: E2eDaemon; let browser: ExtensionBrowser; let site: TestSite;
beforeAll(async () => { daemon = await createE2eDaemon(); await daemon.start(); site = await startTestSite(); browser = await launchWithExtension(inject('extensionDir')); await configureExtension(await browser.worker(), { port: daemon.port, token: await daemon.tokenForExtension() }); });
afterAll(async () => { await browser?.close(); await site?.close(); await daemon?.dispose(); });
const T = <X,>(p: Promise<X>, label: string) => Promise.race([p.then((x) => { console.log('done', label); return x; }), new Promise((r) => setTimeout(() => { console.log('TIMEOUT', label); r(null); }, 5000))]);
it('debug', async () => {
  const page = await browser.context.newPage();
  await page.goto(site.url('addresses.html'));
  await T(page.locator('#sales-address').selectText(), 'selectText');
  const box = (await page.locator('#sales-address').boundingBox())!;
  await T(page.mouse.click(box.x + 5, box.y + 5, { button: 'right' }), 'rightclick');
  console.log('sel', await T(page.evaluate(() => getSelection()?.toString()), 'getSelection'));
  const sw = await browser.worker();
  await T(page.bringToFront(), 'front');
  const tabId = await T(sw.evaluate(async () => { const [t] = await (globalThis as any).chrome.tabs.query({ active: true, lastFocusedWindow: true }); return t?.id; }), 'query');
  console.log('tab', tabId);
  await T(sw.evaluate(({ tabId }) => (globalThis as any).mailpingDebug.menuClicked({ menuItemId: 'mailping-verify', selectionText: 'alice@valid.test', frameId: 0 }, { id: tabId }), { tabId }), 'menuClicked');
  await new Promise((r) => setTimeout(r, 2000));
  console.log('toast', await page.locator('mailping-toast').getAttribute('data-verdict'));
});
