import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verificationResultSchema, type VerificationResult } from '@mailping/shared';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { scriptedServerAddress } from '../lab/lab-table';
import { politeConversation, startScriptedServer, type ScriptedServer } from '../support/scripted-smtp-server';
import { runCli } from '../support/run-cli';
import { closeHarnesses, makeHarness, waitFor } from './scheduler-harness';

/**
 * A list with a host that defers mid-batch: each answer is the address's own, the rest of the
 * domain waits for the host's backoff, then is asked again — and only what was not answered.
 * Against the lab's real Postfix (strict.test: "421 4.7.0 ... Error: too many errors" at the
 * third refused RCPT of a session) and a scripted server (the rate deferral big providers send).
 */
const lab = inject('lab');
const servers: ScriptedServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await closeHarnesses();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Short backoff and retry delays: the production defaults are a minute and five. */
const quick = { politeness: { backoffSeconds: 1 }, greylist: { retryDelaySeconds: 1, maxRetries: 10 } };

const GOOD = ['alice', 'bob', 'carol', 'dave'];
const strictList = ['alice', 'nobody1', 'nobody2', 'bob', 'nobody3', 'nobody4', 'carol', 'nobody5', 'nobody6', 'dave', 'nobody7', 'nobody8'].map(
  (l) => `${l}@strict.test`,
);

/** A result quotes only its own RCPT's reply, or a session's labelled as such, or nothing. */
function expectOwnEvidence(r: VerificationResult): void {
  if (!r.reply) return;
  if (r.reply.command !== 'RCPT TO') {
    expect(['greeting', 'EHLO', 'HELO', 'STARTTLS', 'MAIL FROM']).toContain(r.reply.command);
    return;
  }
  // Postfix names the recipient in every refusal: never another one's.
  const named = [...r.reply.text.matchAll(/<([^>]+)>/g)].map((m) => m[1]);
  for (const n of named) expect(n).toBe(r.normalized);
}

const finalReason = (address: string): string => (GOOD.includes(address.split('@')[0]!) ? 'accepted' : 'mailbox_not_found');

describe('deferred mid-batch, then asked again', () => {
  it('real Postfix: every address ends with its own answer; retries wait for the backoff and show in the transcript', async () => {
    const h = makeHarness({ settings: quick, verifier: { probeCatchAll: false } });
    const latest = new Map<string, VerificationResult>();
    h.scheduler.onUpdate((r) => latest.set(r.normalized!, r));
    const first = await Promise.all(strictList.map((a) => h.scheduler.submit(a, { clientId: 'list' })));

    // The first batch was cut short: nobody quotes a reply that answered somebody else.
    for (const { result } of first) expectOwnEvidence(result);
    const deferred = first.filter(({ result }) => result.smtp?.deferral);
    expect(deferred.length).toBeGreaterThan(0);
    for (const { result } of deferred) {
      expect(result.verdict).toBe('unknown');
      expect(result.smtp!.deferral).toMatchObject({ host: 'mx.strict.test', ip: '127.0.25.20' });
      expect(result.retryAt).not.toBeNull();
      if (!result.reply) expect(result.detail).toMatch(/^(not asked yet|asked, but not answered): mx\.strict\.test deferred the session \("421 4\.7\.0 .*too many errors"\) while checking another address$/);
    }
    for (const { result } of first) if (!result.smtp?.deferral) latest.set(result.normalized!, result);

    await waitFor('every address answered for good', () => strictList.every((a) => latest.get(a)?.reason === finalReason(a)), 25_000);
    for (const a of strictList) expectOwnEvidence(latest.get(a)!);
    // A retried address carries the earlier attempt and says when it was asked again.
    const retried = latest.get(deferred[0]!.result.normalized!)!;
    expect(retried.transcript.some((e) => e.dir === '*' && /^retry at .* ended mx\.strict\.test deferred the session \(421\)/.test(e.line))).toBe(true);
    // The host was left alone for its backoff after each 421.
    expect(Date.parse(retried.checkedAt) - Date.parse(deferred[0]!.result.checkedAt)).toBeGreaterThanOrEqual(900);
  });

  it('scripted "421 4.7.0 Try again later, closing connection.": the second session asks only what was not answered', async () => {
    let connection = 0;
    let deferredAt: number | null = null;
    const connectedAt: number[] = [];
    const sessions: string[][] = [];
    const server = await startScriptedServer(scriptedServerAddress(15), async (c) => {
      const n = ++connection;
      connectedAt.push(Date.now());
      sessions.push(c.received);
      let rcpts = 0;
      await politeConversation(c, (address) => {
        rcpts++;
        if (n === 1 && rcpts === 4) {
          deferredAt = Date.now();
          setImmediate(() => c.socket.end());
          return '421 4.7.0 Try again later, closing connection.';
        }
        return address.startsWith('good') ? '250 2.1.5 Ok' : '550 5.1.1 User unknown';
      });
    });
    servers.push(server);
    const list = Array.from({ length: 10 }, (_, i) => `${i % 3 === 0 ? 'bad' : 'good'}${i}@scripted-15.test`);
    const h = makeHarness({ settings: { ...quick, politeness: { backoffSeconds: 1, errorBudget: 20 } }, verifier: { probeCatchAll: false } });
    const latest = new Map<string, VerificationResult>();
    h.scheduler.onUpdate((r) => latest.set(r.normalized!, r));
    const first = await Promise.all(list.map((a) => h.scheduler.submit(a, { clientId: 'list' })));
    const answered = first.filter(({ result }) => !result.smtp?.deferral).map(({ result }) => result.normalized!);
    expect(answered).toEqual(list.slice(0, 3));
    for (const { result } of first) {
      // A retry's update may already be in (a loaded machine): the first answer must not hide it.
      if (!latest.has(result.normalized!)) latest.set(result.normalized!, result);
      expectOwnEvidence(result);
    }
    expect(first[3]!.result.reply).toMatchObject({ code: 421, command: 'RCPT TO' });
    for (const { result } of first.slice(4)) expect(result.reply).toBeNull();

    await waitFor('every address answered', () => list.every((a) => ['accepted', 'mailbox_not_found'].includes(latest.get(a)?.reason ?? '')), 15_000);
    // The retries may come due a few milliseconds apart and so take one session or more; what
    // holds whatever the timing: nobody knocked during the backoff, and after the 421 each
    // address not answered was asked exactly once, and nothing answered was asked again.
    expect(deferredAt).not.toBeNull();
    const later = connectedAt.slice(1);
    expect(later.length).toBeGreaterThanOrEqual(1);
    for (const at of later) expect(at - deferredAt!).toBeGreaterThanOrEqual(900);
    // (The first session's RCPTs pipelined behind the 421 were sent before it came: not counted.)
    const retried = sessions.slice(1).flatMap((lines) => lines.filter((l) => l.startsWith('RCPT')));
    expect([...retried].sort()).toEqual(list.slice(3).map((a) => `RCPT TO:<${a}>`).sort());
    for (const a of list) expect(latest.get(a)!.reason).toBe(a.startsWith('good') ? 'accepted' : 'mailbox_not_found');
  });
});

describe('mailping verify --file: waits for retries', () => {
  function home(): string {
    const dir = mkdtempSync(join(tmpdir(), 'mailping-deferral-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...quick, dnsServers: [lab.dnsServer], helo: 'verifier.mailping.test' }));
    writeFileSync(join(dir, 'list.txt'), `${strictList.join('\n')}\n`);
    return dir;
  }
  const ndjson = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => verificationResultSchema.parse(JSON.parse(l)));

  it('by default asks deferred addresses again until each has its own answer', async () => {
    const dir = home();
    const run = await runCli(['verify', '--file', join(dir, 'list.txt'), '--json', '--no-probe', '--no-cache'], { env: { MAILPING_HOME: dir }, timeoutMs: 40_000 });
    const results = ndjson(run.stdout);
    expect(results.map((r) => r.normalized)).toEqual(strictList);
    expect(results.map((r) => r.reason)).toEqual(strictList.map(finalReason));
    for (const r of results) expectOwnEvidence(r);
    expect(results.some((r) => r.transcript.some((e) => e.line.startsWith('retry at')))).toBe(true);
    expect(run.stderr).toMatch(/waiting to ask again: mx\.strict\.test until \d\d:\d\d:\d\d \(\d+\)/);
  });

  it('--retry-for 0 does not wait: the deferred addresses say they were not asked', async () => {
    const dir = home();
    const run = await runCli(['verify', '--file', join(dir, 'list.txt'), '--json', '--no-probe', '--no-cache', '--retry-for', '0'], { env: { MAILPING_HOME: dir } });
    const results = ndjson(run.stdout);
    expect(results).toHaveLength(strictList.length);
    // Pipelined RCPTs behind the 421 were sent but never answered; addresses no session took were not asked at all.
    const notAsked = results.filter((r) => /^(not asked yet|asked, but not answered): mx\.strict\.test deferred the session/.test(r.detail));
    expect(notAsked.length).toBeGreaterThan(0);
    for (const r of notAsked) expect(r).toMatchObject({ verdict: 'unknown', reason: 'temporary_failure', reply: null });
    expect(run.stderr).not.toMatch(/waiting to ask again/);
  });
});
