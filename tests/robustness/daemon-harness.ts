import type { VerificationResult } from '@mailping/shared';
import { startPairedDaemon as startPaired, type PairedDaemon } from '../support/paired-daemon';
import type { TestClient } from '../support/ws-test-client';

export type RunningDaemon = PairedDaemon;

/**
 * The real daemon with a paired WebSocket client (tests/support/paired-daemon.ts), as this suite
 * runs it: the client labelled "robustness", and a short grace on stop (a test's teardown waits
 * for it).
 */
export function startPairedDaemon(settings: Record<string, unknown>): Promise<RunningDaemon> {
  return startPaired(settings, { label: 'robustness', stopGraceMs: 5000 });
}

/** Polls `check` until it holds or `timeoutMs` passes; returns its last value. */
export async function eventually<T>(read: () => T, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Answered {
  result: VerificationResult;
  /** From the moment the requests were sent. */
  ms: number;
}

export interface Refused {
  error: { code: string; message: string };
  ms: number;
}

/**
 * Sends one verify per request and collects the answers as they come, from the socket itself
 * (several TestClient.next() waiters at once can miss frames). Plain addresses are their own
 * request ids. Rejects on an error answer unless `allowErrors`.
 */
export function verifyMany(
  client: TestClient,
  requests: ReadonlyArray<string | { id: string; address: string }>,
  options: { timeoutMs?: number; allowErrors?: boolean } = {},
): Promise<Map<string, Answered>> {
  return verifyManyWithErrors(client, requests, options).then((answers) => {
    const results = new Map<string, Answered>();
    for (const [id, a] of answers) if ('result' in a) results.set(id, a);
    return results;
  });
}

export function verifyManyWithErrors(
  client: TestClient,
  requests: ReadonlyArray<string | { id: string; address: string }>,
  options: { timeoutMs?: number; allowErrors?: boolean } = {},
): Promise<Map<string, Answered | Refused>> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const list = requests.map((r) => (typeof r === 'string' ? { id: r, address: r } : r));
  const answers = new Map<string, Answered | Refused>();
  const wanted = new Set(list.map((r) => r.id));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      client.socket.off('message', onMessage);
      if (error) reject(error);
      else resolve(answers);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms for ${[...wanted].filter((a) => !answers.has(a)).slice(0, 10).join(', ')}`)), timeoutMs);
    const onMessage = (data: Buffer): void => {
      const m = JSON.parse(data.toString()) as { type: string; id?: string; result?: VerificationResult; code?: string; message?: string };
      if (m.id === undefined || !wanted.has(m.id) || answers.has(m.id)) return;
      const ms = performance.now() - started;
      if (m.type === 'error') {
        if (!options.allowErrors) return finish(new Error(`${m.id}: ${m.code}: ${m.message}`));
        answers.set(m.id, { error: { code: m.code ?? '?', message: m.message ?? '' }, ms });
      } else if (m.type === 'result') answers.set(m.id, { result: m.result!, ms });
      else return;
      if (answers.size === wanted.size) finish();
    };
    client.socket.on('message', onMessage);
    for (const r of list) client.send({ type: 'verify', id: r.id, address: r.address });
  });
}
