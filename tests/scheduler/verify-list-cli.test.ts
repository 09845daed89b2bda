import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verificationResultSchema } from '@mailping/shared';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../daemon/src/store/database';
import { MAILPING_BIN, runCli } from '../support/run-cli';
import { sleep, waitFor } from './scheduler-harness';

/**
 * `mailping verify` for lists: the real command in a child process, through the scheduler and
 * its SQLite cache in MAILPING_HOME, against the lab.
 */
const lab = inject('lab');
const common = ['--dns-server', lab.dnsServer, '--helo', 'verifier.mailping.test', '--timeout', '4'];
const dirs: string[] = [];
const children: Array<{ kill: (s: NodeJS.Signals) => boolean; exitCode: number | null }> = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailping-list-'));
  dirs.push(dir);
  return dir;
}

const ndjsonLines = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => verificationResultSchema.parse(JSON.parse(l)));

describe('mailping verify --file ... --out ...', () => {
  it('writes a CSV file in input order, answers a rerun from the cache, and asks again with --fresh', async () => {
    const home = tempDir();
    const list = join(home, 'list.csv');
    const out = join(home, 'results.csv');
    writeFileSync(list, 'name,email\nAlice,alice@valid.test\nNobody,nobody@valid.test\nAny,x@catchall.test\nBroken,not-an-address\nNull,alice@nullmx.test\nOdd,=cmd@valid.test\n');
    const env = { MAILPING_HOME: home };

    const run = await runCli(['verify', ...common, '--file', list, '--out', out], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/6 results written to .*results\.csv \(1 deliverable, 4 undeliverable, 1 risky, 0 unknown\)/);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([
      'address', 'normalized', 'verdict', 'reason', 'detail', 'mx', 'reply_code', 'enhanced', 'reply_text', 'suggestion', 'disposable', 'role', 'free', 'checked_at',
    ]);
    expect(rows.map((r) => `${r.address} ${r.verdict}/${r.reason}`)).toEqual([
      'alice@valid.test deliverable/accepted',
      'nobody@valid.test undeliverable/mailbox_not_found',
      'x@catchall.test risky/catch_all',
      'not-an-address undeliverable/invalid_syntax',
      'alice@nullmx.test undeliverable/null_mx',
      // A spreadsheet would run a cell starting with "=": it is written as text.
      "'=cmd@valid.test undeliverable/mailbox_not_found",
    ]);
    expect(rows[1]).toMatchObject({ mx: 'mx1.valid.test', reply_code: '550', enhanced: '5.1.1', role: 'true', free: 'false' });
    expect(rows[1]!.reply_text).toMatch(/^<nobody@valid\.test>: Recipient address rejected: User unknown/);
    expect(existsSync(join(home, 'mailping.db'))).toBe(true);

    const rerun = await runCli(['verify', ...common, '--file', list, '--out', out], { env });
    expect(rerun.code).toBe(1);
    // Everything but the malformed address, which is never stored.
    expect(rerun.stderr).toMatch(/5 from cache of 6 answered/);
    const again = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    const stored = (r: Record<string, string>) => r.reason !== 'invalid_syntax';
    expect(again.filter(stored).map((r) => r.checked_at)).toEqual(rows.filter(stored).map((r) => r.checked_at));

    const fresh = await runCli(['verify', ...common, '--fresh', '--file', list, '--out', out], { env });
    expect(fresh.stderr).not.toMatch(/from cache/);
    const renewed = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(renewed[0]!.checked_at).not.toBe(rows[0]!.checked_at);
  });

  it('writes NDJSON by extension or --format, and refuses a file whose format it cannot tell', async () => {
    const home = tempDir();
    const env = { MAILPING_HOME: home };
    const byName = await runCli(['verify', ...common, '--out', join(home, 'r.ndjson'), 'alice@valid.test', 'bob@valid.test'], { env });
    expect(byName.code).toBe(0);
    expect(ndjsonLines(readFileSync(join(home, 'r.ndjson'), 'utf8')).map((r) => r.reason)).toEqual(['accepted', 'accepted']);

    // --json with --out: the file and stdout both.
    const both = await runCli(['verify', ...common, '--json', '--format', 'ndjson', '--out', join(home, 'r.out'), 'alice@valid.test'], { env });
    expect(ndjsonLines(readFileSync(join(home, 'r.out'), 'utf8'))).toHaveLength(1);
    expect(ndjsonLines(both.stdout)).toHaveLength(1);

    const unknown = await runCli(['verify', ...common, '--out', join(home, 'r.txt'), 'alice@valid.test'], { env });
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/cannot tell the format of .*r\.txt.*--format/);
    expect((await runCli(['verify', ...common, '--format', 'csv', 'alice@valid.test'], { env })).code).toBe(64);
    expect((await runCli(['verify', ...common, '--format', 'xml', '--out', 'x.xml', 'alice@valid.test'], { env })).code).toBe(64);
  });

  it('does not open the database at all with --no-cache', async () => {
    const home = tempDir();
    const run = await runCli(['verify', ...common, '--json', '--no-cache', 'alice@valid.test'], { env: { MAILPING_HOME: home } });
    expect(run.code).toBe(0);
    expect(existsSync(join(home, 'mailping.db'))).toBe(false);
  });

  it('takes flags over the settings file', async () => {
    const home = tempDir();
    // A settings file whose DNS server answers nothing: the flag's lab server must win.
    writeFileSync(join(home, 'config.json'), JSON.stringify({ dnsServers: ['127.0.0.1:9'], helo: 'settings.mailping.test' }));
    const run = await runCli(['verify', ...common, '--json', '--verbose', 'alice@valid.test'], { env: { MAILPING_HOME: home } });
    const [result] = ndjsonLines(run.stdout);
    expect(result!.reason).toBe('accepted');
    expect(result!.transcript.some((e) => e.line === 'EHLO verifier.mailping.test')).toBe(true);
  });

  it('survives kill -9 mid-run: the database is intact and a rerun resumes from the cache', async () => {
    const home = tempDir();
    const domains = ['valid.test', 'catchall.test', 'nomx.test', 'plain.test', 'nocodes.test'];
    const addresses = Array.from({ length: 100 }, (_, i) => domains.map((d) => (i % 10 === 0 ? `alice@${d}` : `user${i}@${d}`))).flat();
    const list = join(home, 'list.txt');
    const out = join(home, 'x.ndjson');
    writeFileSync(list, `${addresses.join('\n')}\n`);
    // 60 RCPTs a minute per domain: the first 300 answers come at once, the rest a few a second,
    // so the run is still going when it is killed.
    writeFileSync(join(home, 'config.json'), JSON.stringify({ politeness: { rcptPerMinutePerDomain: 60 } }));
    const args = ['verify', ...common, '--file', list, '--out', out];

    const child = spawn(process.execPath, [MAILPING_BIN, ...args], { env: { ...process.env, MAILPING_HOME: home, NO_COLOR: '1' }, stdio: 'ignore' });
    children.push(child);
    const lines = (): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);
    await waitFor('the first 100 lines', () => lines() >= 100, 20_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(child.signalCode).toBe('SIGKILL');

    const partial = readFileSync(out, 'utf8');
    expect(partial.endsWith('\n')).toBe(true);
    const written = ndjsonLines(partial);
    expect(written.length).toBeLessThan(500);
    expect(written.map((r) => r.address)).toEqual(addresses.slice(0, written.length));

    const db = openDatabase(join(home, 'mailping.db'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = (db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n;
      // Every line written was committed first (the list repeats alice@ of each domain: count addresses, not lines).
      expect(stored).toBeGreaterThanOrEqual(new Set(written.map((r) => r.normalized)).size);
    } finally {
      db.close();
    }

    rmSync(join(home, 'config.json'));
    await sleep(10);
    const rerun = await runCli(args, { env: { MAILPING_HOME: home }, timeoutMs: 60_000 });
    expect(rerun.code).toBe(1);
    const final = ndjsonLines(readFileSync(out, 'utf8'));
    expect(final).toHaveLength(500);
    expect(final.map((r) => r.address)).toEqual(addresses);
    const cached = Number(/(\d+) from cache of 500 answered/.exec(rerun.stderr)?.[1]);
    expect(cached).toBeGreaterThanOrEqual(written.length);
    expect(cached).toBeLessThan(500);
  });
});
