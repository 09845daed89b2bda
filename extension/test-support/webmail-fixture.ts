import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The end-to-end suite's webmail fixture pages (tests/e2e/webmail-fixtures/), loaded into
 * happy-dom for the adapters' unit tests: the same markup the browser tests serve at the
 * webmails' real URLs, with the fixtures' own scripts run in page order (the shared ones the
 * tests serve at /__fixture__/, such as chip-input.js, and the page's inline scripts) and their
 * shared stylesheets inlined, so recipients can be added and removed as the webmail would.
 */
// A path, not a URL: happy-dom replaces the global URL class in these tests.
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../tests/e2e/webmail-fixtures');

interface FixtureApi {
  addChip(field: string, address: string, name?: string): void;
  removeChip(field: string, address: string): void;
  chips(field: string): string[];
}

function run(code: string): void {
  // The fixtures' scripts are browser scripts: give them the page's window and document.
  new Function('window', 'document', `var fixtureField = window.fixtureField, fixture = window.fixture;\n${code}`)(window, document);
}

const shared = (file: string) => readFileSync(join(FIXTURES, file), 'utf8');

export function loadWebmailFixture(name: string): FixtureApi {
  const html = shared(name).replace(/<link rel="stylesheet" href="\/__fixture__\/([\w-]+\.css)">/g, (_, file: string) => `<style>${shared(file)}</style>`);
  // The scripts are taken out before parsing (happy-dom would try to load them) and run here.
  const scripts = [...html.matchAll(/<script(?: src="\/__fixture__\/([\w-]+\.js)")?>([\s\S]*?)<\/script>/g)].map((m) => (m[1] ? shared(m[1]) : m[2]!));
  const parsed = new DOMParser().parseFromString(html.replace(/<script[\s\S]*?<\/script>/g, ''), 'text/html');
  document.head.innerHTML = parsed.head.innerHTML;
  document.body.innerHTML = parsed.body.innerHTML;
  for (const code of scripts) run(code);
  return (window as unknown as { fixture: FixtureApi }).fixture;
}
