import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { settingsSchema, type Settings } from '../../daemon/src/config/settings';
import { verifierOptionsFromSettings } from '../../daemon/src/config/verifier-options';
import { createScheduler, type SchedulerDeps } from '../../daemon/src/scheduler/scheduler';
import type { Scheduler } from '../../daemon/src/scheduler/types';
import { openDatabase, type Db } from '../../daemon/src/store/database';
import { createVerifier, type Dialer, type VerifierOptions } from '../../daemon/src/verify/index';
import { postfixPaths } from '../lab/postfix-instance';

/**
 * A real scheduler over a real SQLite file and the real engine, pointed at the lab. Each harness
 * can bind its SMTP connections to its own loopback source address, so the lab's Postfix log
 * tells its sessions apart from those of suites running at the same time.
 */
export interface Harness {
  scheduler: Scheduler;
  db: Db;
  dir: string;
  dbFile: string;
  settings: Settings;
  /** A new scheduler (and database connection) on the same file: a daemon restart. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Record<string, unknown>;
  verifier?: Partial<VerifierOptions>;
  scheduler?: Partial<Omit<SchedulerDeps, 'verifier' | 'db' | 'settings'>>;
  /** Loopback address our SMTP connections come from (Postfix logs it). */
  sourceIp?: string;
}

const open: Harness[] = [];

export function makeHarness(options: HarnessOptions = {}): Harness {
  const lab = inject('lab');
  const dir = mkdtempSync(join(tmpdir(), 'mailping-scheduler-'));
  const dbFile = join(dir, 'mailping.db');
  const settings = settingsSchema.parse({ dnsServers: [lab.dnsServer], helo: 'verifier.mailping.test', ...options.settings });
  const build = (): { scheduler: Scheduler; db: Db } => {
    const db = openDatabase(dbFile);
    const verifier = createVerifier({
      ...verifierOptionsFromSettings(settings),
      connectTimeoutMs: 2000,
      greetingTimeoutMs: 3000,
      commandTimeoutMs: 3000,
      ...(options.sourceIp ? { dial: boundDialer(options.sourceIp) } : {}),
      ...options.verifier,
    });
    return { db, scheduler: createScheduler({ verifier, db, settings, ...options.scheduler }) };
  };
  let current = build();
  let closed = false;
  const harness: Harness = {
    get scheduler() {
      return current.scheduler;
    },
    get db() {
      return current.db;
    },
    dir,
    dbFile,
    settings,
    async restart() {
      await current.scheduler.close();
      current.db.close();
      current = build();
    },
    async close() {
      if (closed) return;
      closed = true;
      await current.scheduler.close();
      current.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  open.push(harness);
  return harness;
}

/** For afterEach: closes every harness made since the last call, even after a failed test. */
export async function closeHarnesses(): Promise<void> {
  await Promise.all(open.splice(0).map((h) => h.close()));
}

/** A direct TCP dialer whose connections leave from `localAddress` (any 127.x address works on Linux). */
export function boundDialer(localAddress: string): Dialer {
  return ({ ip, port, timeoutMs, signal }) =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: ip, port, localAddress });
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('error', fail);
      };
      const fail = (error: Error): void => {
        done();
        socket.destroy();
        reject(error);
      };
      const onAbort = (): void => fail(new Error('cancelled'));
      const timer = setTimeout(() => fail(new Error(`connect to ${ip}:${port} timed out`)), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', fail);
      socket.once('connect', () => {
        done();
        resolve(socket);
      });
    });
}

/** The lab's Postfix log from the current end on: what happens after `from()` was called. */
export function maillogFrom(): { sessions(sourceIp: string): Promise<PostfixSession[]>; connects(sourceIp: string): number } {
  const file = postfixPaths(inject('lab').dir).maillog;
  const start = statSync(file).size;
  const read = (): string[] => readFileSync(file).subarray(start).toString('utf8').split('\n');
  return {
    /** Connections from `sourceIp` logged so far, without waiting. */
    connects: (sourceIp) => read().filter((l) => l.includes(`: connect from unknown[${sourceIp}]`)).length,
    /** Sessions from `sourceIp`, once every connection logged has its disconnect line (waits up to 5 s). */
    async sessions(sourceIp) {
      const client = `unknown[${sourceIp}]`;
      const deadline = Date.now() + 5000;
      for (;;) {
        const lines = read();
        const connects = lines.filter((l) => l.includes(`: connect from ${client}`)).length;
        const disconnects = lines.filter((l) => l.includes(`: disconnect from ${client}`));
        if ((connects === disconnects.length && connects > 0) || Date.now() > deadline) {
          return disconnects.map((line) => ({ line, rcpt: commandCount(line, 'rcpt'), quit: commandCount(line, 'quit') })).concat(
            Array.from({ length: Math.max(0, connects - disconnects.length) }, () => ({ line: '(no disconnect logged)', rcpt: 0, quit: 0 })),
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

export interface PostfixSession {
  line: string;
  /** RCPT commands the server received in the session (accepted or not). */
  rcpt: number;
  quit: number;
}

/** Postfix's disconnect summary: `rcpt=1/2` is 1 accepted of 2 received; `rcpt=2` is 2 of 2. */
function commandCount(line: string, command: string): number {
  const m = new RegExp(`\\b${command}=(\\d+)(?:/(\\d+))?`).exec(line);
  return m ? Number(m[2] ?? m[1]) : 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns true (or fails with `what` after `timeoutMs`). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function sentLines(transcript: Array<{ dir: string; line: string }>): string[] {
  return transcript.filter((e) => e.dir === '>').map((e) => e.line);
}
