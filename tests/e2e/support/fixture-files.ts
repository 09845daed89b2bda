import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * What a webmail fixture origin answers, whatever browser asks (Playwright's routing in
 * Chromium, request interception over BiDi in Firefox): `pages` maps a path prefix to a file of
 * tests/e2e/webmail-fixtures (the longest matching prefix wins); `/__fixture__/<file>` serves
 * what several fixtures share: chip-input.js (every fixture's recipient-field behaviour),
 * gmail.css and gmail-chips.js (both Gmail pages).
 */
const FIXTURES = fileURLToPath(new URL('../webmail-fixtures/', import.meta.url));

export interface FixtureResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export async function fixtureResponse(url: URL, pages: Record<string, string>): Promise<FixtureResponse> {
  const notFound = { status: 404, contentType: 'text/plain', body: Buffer.alloc(0) };
  const shared = /^\/__fixture__\/([a-z0-9-]+\.(js|css))$/.exec(url.pathname);
  if (shared) {
    const body = await readFile(`${FIXTURES}${shared[1]}`).catch(() => null);
    return body ? { status: 200, contentType: shared[2] === 'js' ? 'text/javascript' : 'text/css', body } : notFound;
  }
  const match = Object.keys(pages)
    .filter((prefix) => `${url.pathname}${url.search}`.startsWith(prefix))
    .sort((a, b) => b.length - a.length)[0];
  if (match === undefined) return notFound;
  return { status: 200, contentType: 'text/html; charset=utf-8', body: await readFile(`${FIXTURES}${pages[match]}`) };
}
