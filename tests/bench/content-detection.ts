/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * How fast the content script finds email fields, and how small it is.
 *
 *   node --import tsx tests/bench/content-detection.ts [--runs 40]
 *
 * 1. Builds the extension (`wxt build`) and prints the content script's size, raw and gzipped.
 * 2. Bundles the content script's detection code (field-watcher.ts, and badge-layer.ts for the
 *    whole start: detection + one badge per email field + the first layout) and runs it in
 *    Debian's Chromium (headless, real layout) on a generated page of 10,000 elements with 200
 *    inputs (40 of them email fields, 10 inside open shadow roots).
 * 3. Prints the median and p90 of repeated runs of: the detection pass alone; the whole start;
 *    and 1,000 elements inserted after load (one task, then 100 tasks of 10 like a chatty SPA):
 *    the observer's cost on the insertions and the batched detection that follows.
 * Figures, not assertions: a timed assertion would flake on a busy CI machine.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '40' } } });
const RUNS = Number(values.runs);
const EXTENSION = fileURLToPath(new URL('../../extension/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// esbuild is the daemon's build tool; borrow it rather than add a second copy.
interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
const { build } = createRequire(new URL('../../daemon/package.json', import.meta.url))('esbuild') as EsbuildLike;

async function contentScriptSize(): Promise<{ raw: number; gzip: number }> {
  await promisify(execFile)(process.execPath, [`${EXTENSION}node_modules/wxt/bin/wxt.mjs`, 'build'], { cwd: EXTENSION });
  const file = readFileSync(`${EXTENSION}.output/chrome-mv3/content-scripts/content.js`);
  return { raw: file.length, gzip: gzipSync(file, { level: 9 }).length };
}

async function detectionBundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        "export { FieldWatcher } from './entrypoints/content/field-watcher';",
        "export { BadgeLayer } from './entrypoints/content/badge-layer';",
        "export { BackgroundLink } from './lib/background-link';",
      ].join('\n'),
      resolveDir: EXTENSION,
      loader: 'ts',
      sourcefile: 'bench-entry.ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'MailPingBench',
    platform: 'browser',
    target: 'chrome116',
    minify: true,
    write: false,
    tsconfig: `${EXTENSION}tsconfig.json`,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * 10,000 elements and 200 inputs: 100 cards of filler, each with a form of one or two labelled
 * inputs (190 in all: one in five an email field, by type=email or by its label; the others
 * names, phones, notes), and 10 more email fields in open shadow roots.
 */
function generatedPage(): string {
  const TOTAL = 10_000;
  const otherFields = ['first_name', 'last_name', 'phone', 'city', 'zip', 'company', 'q', 'coupon', 'note'];
  // html/head/body/style; 90 cards with two labelled inputs and 10 with one; the components' box; 10 components
  const fixed = 4 + 90 * 8 + 10 * 6 + 1 + 10 * 2;
  const cells = Math.floor((TOTAL - fixed) / 6);
  const parts: string[] = [];
  let input = 0;
  const field = () => {
    const n = input++;
    if (n % 5 === 0) {
      return n % 2 === 0 ? `<label>Email<input type="email" name="e${n}"></label>` : `<label>Your e-mail address<input name="f${n}"></label>`;
    }
    const name = otherFields[n % otherFields.length];
    return `<label>${name}<input name="${name}${n}"></label>`;
  };
  for (let card = 0; card < 100; card++) {
    const filler: string[] = [];
    const perCard = Math.floor(cells / 100) + (card < cells % 100 ? 1 : 0);
    for (let c = 0; c < perCard; c++) filler.push('<div class="cell"><span>item</span><a href="#x">link</a><p>text <b>bold</b> <i>it</i></p></div>');
    const fields = card < 90 ? field() + field() : field();
    parts.push(`<section class="card"><h2>Card ${card}</h2><div class="row">${filler.join('')}<form>${fields}</form></div></section>`);
  }
  parts.push('<div id="components"></div>');
  const script = `
    customElements.define('bench-signup', class extends HTMLElement {
      connectedCallback() { this.attachShadow({ mode: 'open' }).innerHTML = '<input type="email">'; }
    });
    for (let i = 0; i < 10; i++) document.getElementById('components').append(document.createElement('bench-signup'));`;
  return `<!doctype html><html><head><style>.card{padding:4px}.cell{display:inline-block;width:180px}input{padding:6px}</style></head><body>${parts.join('')}<script>${script}</script></body></html>`;
}

interface PageFigures {
  elements: number;
  inputs: number;
  emailFields: number;
  detect: number[];
  start: number[];
  insertOneTask: { withObserver: number[]; withoutObserver: number[]; batch: number[]; batches: number[]; found: number[] };
  insertManyTasks: { batch: number[]; batches: number[] };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function p90(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)]!;
}
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const size = await contentScriptSize();
  const bundle = await detectionBundle();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.setContent(generatedPage());
    await page.addScriptTag({ content: bundle });
    // tsx compiles this file with esbuild's keepNames, which wraps functions in __name(): the
    // function sent to page.evaluate needs that helper in the page too.
    await page.evaluate('globalThis.__name = (fn) => fn');
    const figures = (await page.evaluate(async (runs: number) => {
      type Bench = {
        FieldWatcher: new (doc: Document, cb: { found(i: HTMLInputElement): void; lost(i: HTMLInputElement): void }, s: (w: () => void) => void) => { start(): void; stop(): void; fields: Map<unknown, unknown> };
        BadgeLayer: new (o: object) => { start(): void; stop(): void; flush(): void };
        BackgroundLink: new (o: object) => object;
      };
      const B = (window as unknown as { MailPingBench: Bench }).MailPingBench;
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      // Top up to exactly 10,000 elements (shadow roots included) with empty ones.
      const count = () =>
        document.getElementsByTagName('*').length +
        [...document.querySelectorAll('bench-signup')].reduce((n, el) => n + el.shadowRoot!.querySelectorAll('*').length, 0);
      for (let missing = 10_000 - count(); missing > 0; missing--) document.body.append(document.createElement('i'));
      const out: PageFigures = {
        elements: count(),
        inputs: document.querySelectorAll('input').length + document.querySelectorAll('bench-signup').length,
        emailFields: 0,
        detect: [],
        start: [],
        insertOneTask: { withObserver: [], withoutObserver: [], batch: [], batches: [], found: [] },
        insertManyTasks: { batch: [], batches: [] },
      };
      const noop = { found() {}, lost() {} };
      const rafScheduler = (w: () => void) => requestAnimationFrame(() => w());

      // A warm-up pass, then the measured ones: the detection pass alone.
      for (let i = 0; i <= runs; i++) {
        const t0 = performance.now();
        const w = new B.FieldWatcher(document, noop, rafScheduler);
        w.start();
        const t1 = performance.now();
        if (i > 0) out.detect.push(t1 - t0);
        out.emailFields = w.fields.size;
        w.stop();
        await frame();
      }

      // The whole start: detection, a badge per email field, the first layout pass.
      const port = { postMessage() {}, disconnect() {}, onMessage: { addListener() {} }, onDisconnect: { addListener() {} } };
      for (let i = 0; i <= runs; i++) {
        const link = new B.BackgroundLink({ connect: () => port });
        const t0 = performance.now();
        const layer = new B.BadgeLayer({ doc: document, link, openOptions() {}, schedule: rafScheduler });
        layer.start();
        layer.flush();
        const t1 = performance.now();
        if (i > 0) out.start.push(t1 - t0);
        layer.stop();
        await frame();
      }

      const makeRows = (n: number) =>
        Array.from({ length: n }, (_, k) => {
          const row = document.createElement('div');
          row.innerHTML = k % 10 === 0 ? '<label>Email <input type="email"></label>' : `<span>row ${k}</span>`;
          return row;
        });

      // 1,000 insertions in one task: the observer's share of the insertion cost, and the batch.
      for (let i = 0; i <= Math.min(runs, 20); i++) {
        const box = document.createElement('div');
        document.body.append(box);
        const rows = makeRows(1000);
        const t0 = performance.now();
        for (const row of rows) box.append(row);
        await Promise.resolve();
        const baseline = performance.now() - t0;
        box.remove();

        let batchTime = 0;
        let batches = 0;
        const w = new B.FieldWatcher(document, noop, (work) =>
          requestAnimationFrame(() => {
            const b0 = performance.now();
            work();
            batchTime += performance.now() - b0;
            batches += 1;
          }),
        );
        w.start();
        const before = w.fields.size;
        const box2 = document.createElement('div');
        document.body.append(box2);
        const rows2 = makeRows(1000);
        const t1 = performance.now();
        for (const row of rows2) box2.append(row);
        await Promise.resolve(); // the observer's callback runs here
        const observed = performance.now() - t1;
        await frame();
        await frame();
        if (i > 0) {
          out.insertOneTask.withoutObserver.push(baseline);
          out.insertOneTask.withObserver.push(observed);
          out.insertOneTask.batch.push(batchTime);
          out.insertOneTask.batches.push(batches);
          out.insertOneTask.found.push(w.fields.size - before);
        }
        w.stop();
        box2.remove();
      }

      // 1,000 insertions as 100 tasks of 10 (a page that renders in pieces).
      for (let i = 0; i <= Math.min(runs, 10); i++) {
        let batchTime = 0;
        let batches = 0;
        const w = new B.FieldWatcher(document, noop, (work) =>
          requestAnimationFrame(() => {
            const b0 = performance.now();
            work();
            batchTime += performance.now() - b0;
            batches += 1;
          }),
        );
        w.start();
        const box = document.createElement('div');
        document.body.append(box);
        for (let t = 0; t < 100; t++) {
          for (const row of makeRows(10)) box.append(row);
          await new Promise((r) => setTimeout(r, 0));
        }
        await frame();
        await frame();
        if (i > 0) {
          out.insertManyTasks.batch.push(batchTime);
          out.insertManyTasks.batches.push(batches);
        }
        w.stop();
        box.remove();
      }
      return out;
    }, RUNS)) as PageFigures;

    const lines = [
      `content script: ${size.raw} bytes, ${size.gzip} bytes gzipped (.output/chrome-mv3/content-scripts/content.js)`,
      `page: ${figures.elements} elements, ${figures.inputs} inputs (10 in shadow roots), ${figures.emailFields} email fields found`,
      `detection pass (one querySelectorAll walk + shadow roots), ${RUNS} runs: median ${ms(median(figures.detect))}, p90 ${ms(p90(figures.detect))}`,
      `whole start (detection + ${figures.emailFields} badge controllers + first layout; a badge's element is built when first shown): median ${ms(median(figures.start))}, p90 ${ms(p90(figures.start))}`,
      `1,000 elements inserted in one task (100 with an email field):`,
      `  insertion loop without the observer: median ${ms(median(figures.insertOneTask.withoutObserver))}`,
      `  insertion loop with the observer (records collected): median ${ms(median(figures.insertOneTask.withObserver))}`,
      `  batched detection afterwards: median ${ms(median(figures.insertOneTask.batch))} in ${median(figures.insertOneTask.batches)} frame(s), ${median(figures.insertOneTask.found)} fields found`,
      `1,000 elements inserted as 100 tasks of 10: detection total median ${ms(median(figures.insertManyTasks.batch))} in ${median(figures.insertManyTasks.batches)} frames`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser.close();
  }
}

await main();
