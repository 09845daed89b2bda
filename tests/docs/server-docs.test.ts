import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROME_EXTENSION_ID } from '@mailping/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, httpRequest, makeHome, removeHome, startDaemon, type DaemonProcess } from '../support/daemon-process';
import { SERVER_ADDRESS, SERVER_NAME, tlsRequest } from '../support/server-mode';
import { makeTestCa, type TestCa } from '../support/test-ca';
import { docBlocks, type DocBlock } from './doc-blocks';
import { makeDocShell, type DocShell } from './doc-shell';

/**
 * docs/server.md (and the HTTP API section of docs/daemon.md) followed as a newcomer would: the
 * blocks marked `<!-- doc-test: name -->` run in bash with `mailping` and curl on PATH, against
 * a real daemon that asks the mail lab. The page's verify.example.com becomes verify.mailping.test
 * on 127.0.43.1 (a certificate from a CA the test makes), its ports, certificate paths and
 * placeholders the test's own, example.com addresses the lab's valid.test. Blocks that cannot run
 * here carry `skip: <reason>` in their marker and are listed; an unmarked block fails the test.
 */
const lab = inject('lab');
const root = new URL('../../', import.meta.url);
const read = (path: string): Promise<string> => readFile(new URL(path, root), 'utf8');

/** The blocks of each page this test must account for, and the names it runs. */
const SERVER_RUNS = ['reverse-proxy-config', 'builtin-tls-config', 'invite', 'tokens', 'cli-connect', 'curl-script', 'chrome-policy', 'firefox-managed-storage'];
const API_RUNS = ['openapi', 'http-api', 'metrics'];
const API_HEADINGS = ['6. The HTTP API', 'Metrics'];

/** The daemon's lab settings, which the page leaves to the reader (section 1: dnsServers, helo). */
const labSettings = () => ({
  dnsServers: [lab.dnsServer],
  helo: 'verifier.mailping.test',
  from: `probe-${randomUUID().slice(0, 8)}@mailping.test`,
  timeouts: { totalSeconds: 12, greetingSeconds: 6, connectSeconds: 3, commandSeconds: 6, dnsSeconds: 3 },
});

interface Result {
  address: string;
  verdict: string;
  reason: string;
}
interface Answer {
  result: Result;
  cached: boolean;
}
interface ListEvent {
  type: string;
  address?: string;
  answer?: Answer;
}

/** The JSON values of a text that holds several back to back (`{...}{...}\n{...}`). */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth++ === 0) start = i;
    } else if ((ch === '}' || ch === ']') && --depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
  }
  return values;
}

let serverBlocks: DocBlock[];
let apiBlocks: DocBlock[];
let ca: TestCa;
let shell: DocShell;
const daemons: DaemonProcess[] = [];
const homes: string[] = [];

function block(blocks: DocBlock[], name: string): DocBlock {
  const found = blocks.find((b) => b.marker?.name === name);
  if (!found || found.marker?.skip !== null) throw new Error(`no runnable doc block "${name}"`);
  return found;
}

async function home(settings: Record<string, unknown>): Promise<string> {
  const dir = await makeHome(settings);
  homes.push(dir);
  return dir;
}

async function tokensOf(serverHome: string): Promise<Array<{ id: string; label: string; revokedAt: string | null; today: { fresh: number; cached: number }; quota: Record<string, number> }>> {
  const run = await shell.runScript('mailping tokens list --json', { env: { MAILPING_HOME: serverHome } });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Awaited<ReturnType<typeof tokensOf>>;
}

beforeAll(async () => {
  serverBlocks = docBlocks(await read('docs/server.md'));
  apiBlocks = docBlocks(await read('docs/daemon.md')).filter((b) => API_HEADINGS.includes(b.heading));
  ca = await makeTestCa();
  shell = await makeDocShell({ hosts: { [SERVER_NAME]: SERVER_ADDRESS } });
});

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  await Promise.all(homes.map((h) => removeHome(h)));
  await shell?.remove();
  await ca?.remove();
});

describe('docs/server.md as a newcomer follows it', () => {
  it('marks every block: run by this test, or skipped by design with a reason', () => {
    const unmarked = [...serverBlocks.map((b) => ['server.md', b] as const), ...apiBlocks.map((b) => ['daemon.md', b] as const)]
      .filter(([, b]) => b.marker === null)
      .map(([file, b]) => `docs/${file}:${b.line}`);
    expect(unmarked).toEqual([]);
    const names = [...serverBlocks, ...apiBlocks].map((b) => b.marker!.name);
    expect(new Set(names).size).toBe(names.length);
    expect(serverBlocks.filter((b) => b.marker!.skip === null).map((b) => b.marker!.name).sort()).toEqual([...SERVER_RUNS].sort());
    expect(apiBlocks.filter((b) => b.marker!.skip === null).map((b) => b.marker!.name).sort()).toEqual([...API_RUNS].sort());
    const skipped = [...serverBlocks, ...apiBlocks].filter((b) => b.marker!.skip !== null);
    for (const b of skipped) expect(b.marker!.skip!.length, b.marker!.name).toBeGreaterThan(10);
    console.info(`doc blocks skipped by design:\n${skipped.map((b) => `  ${b.marker!.name} (line ${b.line}): ${b.marker!.skip}`).join('\n')}`);
  });

  it('built-in TLS: the settings, `mailping serve`, invites, `connect`, `verify --server` of a file, curl with an invite, `tokens revoke`', async () => {
    const { cert, key } = await ca.issue(SERVER_NAME);
    const port = await freePort();
    // Only ::1 is this machine: the command line and curl, from 127.0.0.1, are on the network.
    const serverHome = await home({ ...labSettings(), server: { localNetworks: ['::1/128'] } });
    const server = { MAILPING_HOME: serverHome };
    const url = `https://${SERVER_NAME}:${port}`;

    const configured = await shell.run(block(serverBlocks, 'builtin-tls-config'), {
      env: server,
      rewrites: [
        ['/etc/letsencrypt/live/verify.example.com/fullchain.pem', cert],
        ['/etc/letsencrypt/live/verify.example.com/privkey.pem', key],
        // Tests listen on loopback only: the page's every-interface address becomes the server's own.
        ['0.0.0.0', SERVER_ADDRESS],
        ['port 443', `port ${port}`],
        ['verify.example.com', SERVER_NAME],
      ],
    });
    expect(configured.stderr.trim().split('\n')).toEqual(Array(5).fill(`saved to ${join(serverHome, 'config.json')}`));
    expect(configured.code).toBe(0);

    // What the systemd unit's ExecStart runs: the port comes from the settings just made.
    const daemon = await startDaemon({ home: serverHome, port, portFlag: false, ready: async (p) => (await tlsRequest({ port: p, ca: ca.caPem }, 'GET', '/health')).status === 200 });
    daemons.push(daemon);

    const invited = await shell.run(block(serverBlocks, 'invite'), { env: server });
    expect(invited.code).toBe(0);
    const codes = Object.fromEntries([...invited.stdout.matchAll(/Invite for (\S+): (\S+)/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(codes).sort()).toEqual(['alice', 'ci-script']);

    const clientHome = await home({});
    await writeFile(join(shell.dir, 'leads.csv'), 'email,name\nalice@valid.test,Alice\nnobody@valid.test,Nobody\nalice@nullmx.test,Null MX\n');
    const verified = await shell.run(block(serverBlocks, 'cli-connect'), {
      env: { MAILPING_HOME: clientHome, NODE_EXTRA_CA_CERTS: ca.caCert },
      rewrites: [
        ['XXXX-XXXX', codes.alice!],
        ['https://verify.example.com', url],
      ],
    });
    expect(verified.stdout).toMatch(/^Connected to verify\.mailping\.test:\d+ as token /);
    expect(verified.stderr).toMatch(/list [0-9a-f]{16} sent to verify\.mailping\.test:\d+: 3 addresses/);
    // 1: at least one address is undeliverable (the verify command's exit codes).
    expect(verified.code).toBe(1);
    const rows = (await readFile(join(shell.dir, 'results.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 4));
    expect(rows.map(([address, , verdict, reason]) => `${address} ${verdict}/${reason}`)).toEqual([
      'alice@valid.test deliverable/accepted',
      'nobody@valid.test undeliverable/mailbox_not_found',
      'alice@nullmx.test undeliverable/null_mx',
    ]);

    await shell.curlrc([`cacert = "${ca.caCert}"`, `resolve = "${SERVER_NAME}:${port}:${SERVER_ADDRESS}"`]);
    const scripted = await shell.run(block(serverBlocks, 'curl-script'), {
      rewrites: [
        ['XXXX-XXXX', codes['ci-script']!],
        ['https://verify.example.com', url],
        ['alice@example.com', 'alice@valid.test'],
      ],
    });
    expect(scripted.code).toBe(0);
    const answer = JSON.parse(scripted.stdout) as { result: { address: string; verdict: string; reason: string } };
    expect(answer.result).toMatchObject({ address: 'alice@valid.test', verdict: 'deliverable', reason: 'accepted' });

    // The server did the asking, against each invite's own quota.
    const tokens = await tokensOf(serverHome);
    const alice = tokens.find((t) => t.label === 'alice')!;
    expect(alice.today.fresh).toBeGreaterThanOrEqual(2);
    expect(tokens.find((t) => t.label === 'ci-script')?.quota).toMatchObject({ freshChecksPerDay: 5000, maxListSize: 50000, concurrentLists: 4, requestsPerMinute: 600 });

    const revoked = await shell.run(block(serverBlocks, 'tokens'), { env: server, rewrites: [['<id>', alice.id]] });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/alice/);
    expect(revoked.stdout).toMatch(/ci-script/);
    expect(revoked.stdout).toContain(`Revoked token ${alice.id}.`);
    const after = await shell.runScript(`mailping verify --server ${url} alice@valid.test`, { env: { MAILPING_HOME: clientHome, NODE_EXTRA_CA_CERTS: ca.caCert } });
    expect(after.stderr).toMatch(/the server refused \(HTTP 401\)/);
    expect(after.code).toBe(77);
   }, 90_000);

  it('behind a reverse proxy: the settings make the proxy\'s requests network ones, under the Host allowlist', async () => {
    const serverHome = await home(labSettings());
    const configured = await shell.run(block(serverBlocks, 'reverse-proxy-config'), { env: { MAILPING_HOME: serverHome }, rewrites: [['verify.example.com', SERVER_NAME]] });
    expect(configured.stderr.trim().split('\n')).toEqual(Array(3).fill(`saved to ${join(serverHome, 'config.json')}`));
    expect(configured.code).toBe(0);
    const daemon = await startDaemon({ home: serverHome });
    daemons.push(daemon);
    // As nginx sends them (proxy_set_header Host $host; X-Forwarded-For).
    const proxied = (path: string, host = SERVER_NAME, headers: Record<string, string> = {}) =>
      httpRequest(daemon.port, 'GET', path, { host, 'x-forwarded-for': '198.51.100.7', ...headers });
    expect((await proxied('/health')).status).toBe(200);
    expect((await proxied('/health', 'rebound.example.net')).status).toBe(403);
    // From the trusted proxy, /metrics wants a metrics token even though the proxy is on this machine.
    const unscraped = await proxied('/metrics');
    expect(unscraped.status).toBe(403);
    expect(unscraped.body).toContain('mailping tokens create --metrics');
    const metricsToken = await shell.runScript('mailping tokens create --metrics', { env: { MAILPING_HOME: serverHome } });
    const scraped = await proxied('/metrics', SERVER_NAME, { authorization: `Bearer ${metricsToken.stdout.trim()}` });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toMatch(/^mailping_/m);
   }, 60_000);

  it('the policy files preset the URL for this extension: its Chrome id, its Firefox id, a key its managed schema declares', async () => {
    const schema = JSON.parse(await read('extension/public/managed_schema.json')) as { properties: Record<string, unknown> };
    const chrome = JSON.parse(block(serverBlocks, 'chrome-policy').body) as { '3rdparty': { extensions: Record<string, Record<string, string>> } };
    expect(Object.keys(chrome['3rdparty'].extensions)).toEqual([CHROME_EXTENSION_ID]);
    const chromeValues = chrome['3rdparty'].extensions[CHROME_EXTENSION_ID]!;
    for (const key of Object.keys(chromeValues)) expect(schema.properties, key).toHaveProperty(key);
    expect(chromeValues.serverUrl).toBe('wss://verify.example.com');

    const geckoId = /gecko:\s*{\s*id:\s*'([^']+)'/.exec(await read('extension/wxt.config.ts'))?.[1];
    const firefox = JSON.parse(block(serverBlocks, 'firefox-managed-storage').body) as { name: string; type: string; data: Record<string, string> };
    expect(firefox.name).toBe(geckoId);
    expect(firefox.type).toBe('storage');
    for (const key of Object.keys(firefox.data)) expect(schema.properties, key).toHaveProperty(key);
    expect(firefox.data.serverUrl).toBe('wss://verify.example.com');
  });
});

describe('docs/daemon.md, the HTTP API with curl', () => {
  let port: number;
  let localHome: string;
  const rewrites = () => [['127.0.0.1:7425', `127.0.0.1:${port}`], ['@example.com', '@valid.test']] as const;

  beforeAll(async () => {
    localHome = await home(labSettings());
    const daemon = await startDaemon({ home: localHome });
    daemons.push(daemon);
    port = daemon.port;
  });

  it('the OpenAPI document lists the routes', async () => {
    const run = await shell.run(block(apiBlocks, 'openapi'), { rewrites: [rewrites()[0]] });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expect.arrayContaining(['/v1/verify', '/v1/lists']));
  });

  it('one address, a batch, a stored result, a list and its events: the lab\'s verdicts', async () => {
    const run = await shell.run(block(apiBlocks, 'http-api'), { env: { MAILPING_HOME: localHome }, rewrites: rewrites() });
    expect(run.stderr).toMatch(/^Token \w+ created\./);
    expect(run.code).toBe(0);
    // curl prints each answer as it comes, without a newline between them.
    const [single, batch, stored, ...events] = jsonValues(run.stdout) as [Answer, { results: Answer[] }, { result: Result }, ...ListEvent[]];
    expect(single.result).toMatchObject({ address: 'alice@valid.test', verdict: 'deliverable', reason: 'accepted' });
    expect(batch.results.map((a) => `${a.result.address} ${a.result.verdict}`)).toEqual(['alice@valid.test deliverable', 'bob@valid.test deliverable']);
    expect(stored.result).toMatchObject({ address: 'alice@valid.test', verdict: 'deliverable' });
    const answers = events.filter((e) => e.type === 'answer');
    expect(answers.map((e) => `${e.address} ${e.answer!.result.verdict}/${e.answer!.result.reason}`).sort()).toEqual([
      'alice@valid.test deliverable/accepted',
      'bob@valid.test deliverable/accepted',
      'nobody@valid.test undeliverable/mailbox_not_found',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'done', total: 3, answered: 3, done: true });
  });

  it('metrics from this machine', async () => {
    const run = await shell.run(block(apiBlocks, 'metrics'), { rewrites: [rewrites()[0]] });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^mailping_/m);
  });
});
