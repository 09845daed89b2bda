import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The pages the browser visits, served from tests/e2e/pages on 127.0.0.1 (a real http origin:
 * content scripts do not run on file: URLs by default, and frames need a same-origin server).
 */
const PAGES = fileURLToPath(new URL('../pages/', import.meta.url));

export interface TestSite {
  origin: string;
  url(path: string): string;
  close(): Promise<void>;
}

export async function startTestSite(): Promise<TestSite> {
  const server = http.createServer(async (request, response) => {
    const name = (request.url ?? '/').split('?')[0]!.replace(/^\/+/, '') || 'signup.html';
    if (!/^[a-z0-9-]+\.html$/.test(name)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(`${PAGES}${name}`);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}/${path.replace(/^\//, '')}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
