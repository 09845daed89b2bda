import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The end-to-end suite's webmail fixture pages (tests/e2e/webmail-fixtures/), loaded into
 * happy-dom for the adapters' unit tests: the same markup the browser tests serve at the
 * webmails' real URLs, with the fixtures' own scripts run (chip-input.js, then the page's
 * inline script) so recipients can be added and removed as the webmail would.
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

export function loadWebmailFixture(name: string): FixtureApi {
  const html = readFileSync(join(FIXTURES, name), 'utf8');
  // The scripts are taken out before parsing (happy-dom would try to load them) and run here.
  const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const parsed = new DOMParser().parseFromString(html.replace(/<script[\s\S]*?<\/script>/g, ''), 'text/html');
  document.head.innerHTML = parsed.head.innerHTML;
  document.body.innerHTML = parsed.body.innerHTML;
  if (html.includes('/__fixture__/chip-input.js')) run(readFileSync(join(FIXTURES, 'chip-input.js'), 'utf8'));
  for (const code of inline) run(code);
  return (window as unknown as { fixture: FixtureApi }).fixture;
}
