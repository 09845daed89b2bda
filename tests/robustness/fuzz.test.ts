import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scriptedServerAddress } from '../lab/lab-table';
import { httpGet } from '../support/daemon-process';
import { politeConversation, startScriptedServer, type ScriptedServer } from '../support/scripted-smtp-server';
import { startPairedDaemon, verifyManyWithErrors, type RunningDaemon } from './daemon-harness';
import { FUZZ_TARGETS, hostileAddress } from './fuzz-targets';
import { fuzzFrames } from './frame-fuzzer';

/**
 * Fuzzing, CI-sized: every target of fuzz-targets.ts a few thousand times, then the same kind of
 * input at a live daemon: random frames on its WebSocket (it must answer each with a protocol
 * message, or close only that connection for a frame it cannot read, and keep serving a
 * well-behaved client), and hostile addresses verified for real against a recording SMTP server
 * (no line it receives may be anything but a well-formed command). `pnpm bench` runs the same
 * targets hundreds of thousands of times.
 */
const lab = inject('lab');
const RECORDER = 29;
/** Every line a client may send us, whole: an injected CR, LF or NUL would break one apart. */
const COMMAND_LINE = /^(EHLO [A-Za-z0-9.-]+|MAIL FROM:<[^\r\n\0]*>( SMTPUTF8)?|RCPT TO:<[^\r\n\0]*>|RSET|QUIT)$/;

let daemon: RunningDaemon;
let recorder: ScriptedServer;

beforeAll(async () => {
  recorder = await startScriptedServer(scriptedServerAddress(RECORDER), (c) =>
    politeConversation(c, () => '250 2.1.5 Ok', { extensions: ['PIPELINING', 'ENHANCEDSTATUSCODES', 'SMTPUTF8'] }),
  );
  daemon = await startPairedDaemon({
    dnsServers: [lab.dnsServer],
    helo: 'verifier.mailping.test',
    timeouts: { totalSeconds: 10, connectSeconds: 2, greetingSeconds: 3, commandSeconds: 3, dnsSeconds: 2 },
    limits: { requestsPerMinute: 100_000, maxPendingPerClient: 1000 },
  });
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await recorder?.close();
});

describe('fuzz targets (CI size)', () => {
  it.each(FUZZ_TARGETS.map((t) => [t.name, t] as const))('%s', (_name, target) => {
    fc.assert(target.property as fc.IProperty<unknown[]>, { numRuns: 3000 });
  });
});

describe('a live daemon under random frames', () => {
  it.each([
    ['before authenticating', false],
    ['after authenticating (verify, cancel and history run for real)', true],
  ] as const)('answers every frame with a protocol message or closes only that connection, %s', async (_label, authenticate) => {
    const outcome = await fuzzFrames({ port: daemon.daemon.port, token: authenticate ? daemon.token : null, numRuns: 150 });
    expect(outcome.failed, outcome.report).toBe(false);
    expect(outcome.framesReceived).toBeGreaterThan(0);
    // A well-behaved client is still served, and the daemon is still healthy.
    daemon.client.send({ type: 'ping', id: `after-${authenticate}` });
    expect(await daemon.client.next('pong', (m) => m.id === `after-${authenticate}`)).toMatchObject({ type: 'pong' });
    expect((await httpGet(daemon.daemon.port, '/health')).status).toBe(200);
  }, 120_000);
});

describe('hostile addresses verified for real', () => {
  it('never puts anything but a well-formed command on the wire, and answers every request', async () => {
    const addresses = fc.sample(
      fc.oneof(hostileAddress, hostileAddress.map((a) => a.replace(/@[^@]*$/, '@scripted-29.test'))),
      { numRuns: 400, seed: Date.now() },
    );
    const requests = addresses.map((address, i) => ({ id: `a${i}`, address }));
    const answers = await verifyManyWithErrors(daemon.client, requests, { allowErrors: true, timeoutMs: 90_000 });
    expect(answers.size).toBe(requests.length);
    for (const [id, answer] of answers) {
      // Too long for the protocol's schema is the only refusal; everything else is a result.
      if ('error' in answer) expect(answer.error.code, `${id}: ${answer.error.message}`).toBe('bad_message');
    }
    const bad = recorder.received.filter((line) => !COMMAND_LINE.test(line));
    expect(bad).toEqual([]);
    const rcpts = recorder.received.filter((l) => l.startsWith('RCPT TO:'));
    const reachedRecorder = [...answers.values()].filter((a) => 'result' in a && a.result.mx?.ip === scriptedServerAddress(RECORDER));
    expect(reachedRecorder.length).toBeGreaterThan(10);
    // One RCPT per distinct address asked, plus at most one catch-all probe per session.
    expect(rcpts.length).toBeLessThanOrEqual(new Set(reachedRecorder.map((a) => ('result' in a ? a.result.normalized : ''))).size + recorder.connections);
  }, 120_000);
});
