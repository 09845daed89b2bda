import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verificationResultSchema } from '@mailping/shared';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LAB_CASES } from '../lab/lab-table';
import { runCli as runCliAnywhere } from '../support/run-cli';

/** `mailping verify`, the real command in a child process, against the lab. */
const lab = inject('lab');
const common = ['--dns-server', lab.dnsServer, '--helo', 'verifier.mailping.test', '--timeout', '4'];
// The cache lives in MAILPING_HOME: a fresh one for this file, never the user's.
const home = mkdtempSync(join(tmpdir(), 'mailping-cli-home-'));
afterAll(() => rm(home, { recursive: true, force: true }));
const runCli: typeof runCliAnywhere = (args, options = {}) => runCliAnywhere(args, { ...options, env: { MAILPING_HOME: home, ...options.env } });
const ndjson = (text: string) => text.trim().split('\n').map((l) => verificationResultSchema.parse(JSON.parse(l)));

describe('mailping verify', () => {
  it('answers the whole lab table in one call, NDJSON in input order', async () => {
    const cases = LAB_CASES.filter((c) => !c.address.includes('greylist'));
    const run = await runCli(['verify', '--json', ...common, ...cases.map((c) => c.address)]);
    const results = ndjson(run.stdout);
    expect(results.map((r) => r.address)).toEqual(cases.map((c) => c.address));
    expect(results.map((r) => `${r.address} ${r.verdict}/${r.reason}`)).toEqual(cases.map((c) => `${c.address} ${c.verdict}/${c.reason}`));
    expect(run.code).toBe(1);
    for (const r of results) {
      for (const key of ['address', 'normalized', 'verdict', 'reason', 'mx', 'reply', 'flags', 'suggestion', 'transcript', 'timings']) {
        expect(r).toHaveProperty(key);
      }
    }
  });

  it('prints one readable line per address with the deciding reply', async () => {
    const run = await runCli(['verify', ...common, 'alice@valid.test', 'nobody@valid.test']);
    expect(run.stdout).toMatch(/deliverable\s+alice@valid\.test\s+mailbox exists/);
    expect(run.stdout).toMatch(/undeliverable\s+nobody@valid\.test\s+mailbox does not exist/);
    expect(run.stdout).toMatch(/mx1\.valid\.test \[127\.0\.25\.10\]: 550 5\.1\.1 <nobody@valid\.test>: Recipient address rejected/);
    expect(run.stdout).not.toMatch(/\u001b\[/);
  });

  it('shows the conversation like a telnet session with --verbose', async () => {
    const run = await runCli(['verify', '--verbose', ...common, 'alice@valid.test']);
    expect(run.stdout).toMatch(/ms {2}\* connect mx1\.valid\.test \[127\.0\.25\.10\]:25/);
    expect(run.stdout).toMatch(/ms {2}< 220 /);
    expect(run.stdout).toMatch(/ms {2}> EHLO verifier\.mailping\.test/);
    expect(run.stdout).toMatch(/ms {2}> RCPT TO:<alice@valid\.test>/);
  });

  it('exits 0 when all are deliverable, 1 with any undeliverable, 2 otherwise', async () => {
    expect((await runCli(['verify', ...common, 'alice@valid.test', 'bob@valid.test'])).code).toBe(0);
    expect((await runCli(['verify', ...common, 'alice@valid.test', 'nobody@valid.test'])).code).toBe(1);
    expect((await runCli(['verify', ...common, 'alice@valid.test', 'x@catchall.test'])).code).toBe(2);
    expect((await runCli(['verify', ...common, 'alice@blocked.test'])).code).toBe(2);
  });

  it('exits 64 on bad usage, with a clear message', async () => {
    const badServer = await runCli(['verify', '--dns-server', 'not-an-ip', 'a@b.test']);
    expect(badServer.code).toBe(64);
    expect(badServer.stderr).toMatch(/"not-an-ip" is not an IP address/);
    const none = await runCli(['verify', ...common]);
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/at least one address/);
    expect((await runCli(['verify', '--timeout', 'soon', 'a@b.test'])).code).toBe(64);
    expect((await runCli(['verify', '--from', 'not an address', 'a@b.test'])).code).toBe(64);
    expect((await runCli(['frobnicate'])).code).toBe(64);
    const missing = await runCli(['verify', '--file', '/nonexistent/list.txt']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/list\.txt: no such file/);
  });

  it('reads a CSV file, finding the email column by its header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailping-cli-'));
    const file = join(dir, 'people.csv');
    await writeFile(file, 'name,E-mail,team\n"Smith, Alice",alice@valid.test,a\nNobody,nobody@valid.test,b\n');
    const run = await runCli(['verify', '--json', ...common, '--file', file]);
    expect(ndjson(run.stdout).map((r) => [r.address, r.reason])).toEqual([
      ['alice@valid.test', 'accepted'],
      ['nobody@valid.test', 'mailbox_not_found'],
    ]);
  });

  it('reads one address per line from stdin with --file -', async () => {
    const run = await runCli(['verify', '--json', ...common, '--file', '-'], { input: '# list\nalice@valid.test\n\nnot-an-address\n' });
    expect(ndjson(run.stdout).map((r) => r.reason)).toEqual(['accepted', 'invalid_syntax']);
  });

  it('says which address is malformed and why, and goes on with the others', async () => {
    const run = await runCli(['verify', '--json', ...common, 'a..b@valid.test', 'alice@valid.test']);
    const [bad, good] = ndjson(run.stdout);
    expect(bad).toMatchObject({ verdict: 'undeliverable', reason: 'invalid_syntax', syntax: { valid: false, error: { code: 'local_dot' } } });
    expect(good!.verdict).toBe('deliverable');
  });

  it('suggests a fix for a mistyped provider', async () => {
    const run = await runCli(['verify', '--json', ...common, 'someone@gmial.com'], { timeoutMs: 20_000 });
    expect(ndjson(run.stdout)[0]!.suggestion).toBe('someone@gmail.com');
  });
});
