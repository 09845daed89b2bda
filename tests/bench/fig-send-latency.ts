/// <reference lib="dom" />
// (Code inside page.evaluate runs in the browser: it needs the DOM types.)
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page, Worker } from 'playwright-core';
import { configureExtension, launchWithExtension } from '../e2e/support/extension-browser';
import { openWebmail } from '../e2e/support/webmail-fixtures';
import { startDaemonSession } from './mailping-runs';
import { median, ms, percentile, table } from './stats';

/**
 * Figure 6: what the warning before a bounce costs a Send that has nothing to warn about. Debian's
 * Chromium (headless) with the built extension, paired with the real daemon on the lab, on the
 * Gmail fixture served at https://mail.google.com/: the compose window's recipients are all
 * deliverable (checked by the daemon), then the person's Send (a real click on the Send control,
 * and Ctrl+Enter in the subject) is pressed again and again. The fixture's own send handler
 * (tests/e2e/webmail-fixtures/send-button.js) records how long after the browser created the
 * event it ran; the same with MailPing's webmail checks switched off (no guard at all) is the
 * baseline.
 */
export interface SendLatencyRow {
  setup: string;
  via: 'click' | 'Ctrl+Enter';
  delaysMs: number[];
}

export interface SendLatencyFigure {
  runs: number;
  rows: SendLatencyRow[];
}

const EXTENSION = fileURLToPath(new URL('../../extension/', import.meta.url));
const RECIPIENTS = ['alice@valid.test', 'bob@valid.test'];

interface Sent {
  via: string;
  trusted: boolean;
  delayMs: number;
}

const sends = (page: Page): Promise<Sent[]> => page.evaluate(() => (window as unknown as { fixtureSends: Sent[] }).fixtureSends.slice());

async function setStorage(worker: Worker, items: Record<string, unknown>): Promise<void> {
  await worker.evaluate(async (values) => {
    const { chrome } = globalThis as unknown as { chrome: { storage: { local: { set(items: object): Promise<void> } } } };
    await chrome.storage.local.set(values);
  }, items);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Presses Send `runs` times one way; the page's handler must run each time, trusted (nothing held it). */
async function press(page: Page, via: SendLatencyRow['via'], runs: number): Promise<number[]> {
  const before = (await sends(page)).length;
  const send = (await page.locator('#send').boundingBox())!;
  if (via === 'Ctrl+Enter') await page.locator('#subject').click();
  for (let i = 0; i < runs; i++) {
    if (via === 'click') await page.mouse.click(send.x + send.width / 2, send.y + send.height / 2);
    else await page.keyboard.press('Control+Enter');
  }
  await until(async () => (await sends(page)).length === before + runs, `${runs} sends by ${via}`, 10_000);
  const made = (await sends(page)).slice(before);
  if (made.some((s) => !s.trusted)) throw new Error('a Send was held and replayed: the recipients were not all fine');
  return made.map((s) => s.delayMs);
}

export async function sendLatencyFigure(dnsServer: string, runs: number): Promise<SendLatencyFigure> {
  await promisify(execFile)(process.execPath, [`${EXTENSION}node_modules/wxt/bin/wxt.mjs`, 'build'], { cwd: EXTENSION });
  const session = await startDaemonSession(dnsServer);
  try {
    const browser = await launchWithExtension(`${EXTENSION}.output/chrome-mv3`);
    try {
      const worker = await browser.worker();
      await configureExtension(worker, { port: session.daemon.port, token: session.token });
      const page = await openWebmail(browser.context, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTzXk', { '/mail/u/0/': 'gmail.html' });
      for (const address of RECIPIENTS) {
        await page.evaluate((a) => (window as unknown as { fixture: { addChip(f: string, a: string): void } }).fixture.addChip('to', a), address);
      }
      const verdicts = () =>
        page.locator('mailping-mark[data-kind="to"]').evaluateAll((marks) => marks.map((m) => `${m.getAttribute('data-address')}:${m.getAttribute('data-verdict')}`).sort());
      // The thread's inline reply has its own recipient (alice, deliverable too).
      const allFine = async () => {
        const seen = await verdicts();
        return RECIPIENTS.every((a) => seen.includes(`${a}:deliverable`)) && seen.every((v) => v.endsWith(':deliverable'));
      };
      await until(allFine, 'deliverable marks').catch(async (e: Error) => {
        throw new Error(`${e.message}: ${(await verdicts()).join(', ')}`);
      });
      // Warm up (the first press pays for code the later ones find compiled).
      await press(page, 'click', 3);
      const rows: SendLatencyRow[] = [];
      const measure = async (setup: string) => {
        for (const via of ['click', 'Ctrl+Enter'] as const) rows.push({ setup, via, delaysMs: await press(page, via, runs) });
      };
      await measure('MailPing on, warning on, recipients deliverable');
      // Baseline: webmail checks off, so no guard listens at all.
      await setStorage(worker, { webmailChecks: false, webmailChecks$: { v: 1 } });
      await until(async () => (await page.locator('mailping-mark').count()) === 0, 'the webmail checks to stop');
      await measure('baseline: MailPing’s webmail checks off');
      return { runs, rows };
    } finally {
      await browser.close();
    }
  } finally {
    await session.stop();
  }
}

export function renderSendLatency(f: SendLatencyFigure): string {
  return [
    `Send pressed ${f.runs} times per row on the Gmail fixture in headless Chromium; time from the browser's event to the page's own send handler.`,
    '',
    table(
      ['setup', 'Send by', 'median', 'p99', 'max'],
      f.rows.map((r) => [r.setup, r.via, ms(median(r.delaysMs), 3), ms(percentile(r.delaysMs, 99), 3), ms(Math.max(...r.delaysMs), 3)]),
    ),
  ].join('\n');
}

/** The cost the warning adds to a clean Send: its p99 minus the baseline's, for the target. */
export function addedP99Ms(f: SendLatencyFigure): number {
  const p99 = (setup: (s: string) => boolean) => Math.max(...f.rows.filter((r) => setup(r.setup)).map((r) => percentile(r.delaysMs, 99)));
  return p99((s) => !s.startsWith('baseline')) - p99((s) => s.startsWith('baseline'));
}
