import fc from 'fast-check';
import { decodeServerMessage } from '@mailping/shared';
import WebSocket from 'ws';
import { CHROME_ORIGIN } from '../support/ws-test-client';
import { clientFrame } from './fuzz-targets';

/**
 * Random frames at a live daemon's WebSocket, as a fast-check property: each run sends a few
 * frames (near-miss protocol messages, binary frames, text frames that are not UTF-8, frames over
 * the size limit) and then a ping; the daemon must answer the ping (it handles frames in order),
 * or have closed this one connection for a reason it is allowed to (then the next run opens a new
 * one). Every frame the daemon sent must be a valid protocol message.
 */
export type Frame = { kind: 'text'; raw: string } | { kind: 'binary'; bytes: Uint8Array } | { kind: 'invalid_utf8'; bytes: Uint8Array } | { kind: 'oversized' };

export const frameArbitrary: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 20, arbitrary: clientFrame.map((raw) => ({ kind: 'text' as const, raw })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'binary' as const, bytes })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 32 }).map((b) => ({ kind: 'invalid_utf8' as const, bytes: Uint8Array.from([...b, 0xc3, 0x28]) })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'oversized' as const }) },
);

export interface FrameFuzzOutcome {
  runs: number;
  seed: number;
  framesSent: number;
  framesReceived: number;
  /** Connections the daemon closed, by close code. */
  closes: Record<string, number>;
  ms: number;
  failed: boolean;
  report?: string;
}

interface Fuzzer {
  socket: WebSocket;
  frames: string[];
  closeCode: number | null;
  closed: Promise<number>;
}

function openFuzzer(port: number): Promise<Fuzzer> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin: CHROME_ORIGIN } });
    const fuzzer: Fuzzer = { socket, frames: [], closeCode: null, closed: new Promise((r) => socket.once('close', (code) => r(code))) };
    socket.on('message', (data) => fuzzer.frames.push(data.toString()));
    socket.on('close', (code) => (fuzzer.closeCode = code));
    socket.on('error', () => {});
    socket.once('open', () => resolve(fuzzer));
    socket.once('unexpected-response', (_q, r) => reject(new Error(`upgrade refused: ${r.statusCode}`)));
  });
}

/** The daemon answered a ping sent after everything else, or closed the connection. */
function settled(f: Fuzzer, id: string): Promise<'pong' | 'closed'> {
  return new Promise((resolve, reject) => {
    if (f.closeCode !== null) return resolve('closed');
    const timer = setTimeout(() => done(new Error(`no pong ${id} within 10 s`)), 10_000);
    const onMessage = (data: Buffer): void => {
      if (data.toString() === JSON.stringify({ type: 'pong', id })) done('pong');
    };
    const onClose = (): void => done('closed');
    const done = (how: 'pong' | 'closed' | Error): void => {
      clearTimeout(timer);
      f.socket.off('message', onMessage);
      f.socket.off('close', onClose);
      if (how instanceof Error) reject(how);
      else resolve(how);
    };
    f.socket.on('message', onMessage);
    f.socket.once('close', onClose);
    f.socket.send(JSON.stringify({ type: 'ping', id }));
  });
}

export async function fuzzFrames(options: { port: number; token: string | null; numRuns: number; seed?: number }): Promise<FrameFuzzOutcome> {
  const seed = options.seed ?? Date.now() ^ (Math.random() * 0x100000000);
  const fuzzers: Fuzzer[] = [];
  const closes: Record<string, number> = {};
  let framesSent = 0;
  let run = 0;
  const open = async (): Promise<Fuzzer> => {
    const f = await openFuzzer(options.port);
    fuzzers.push(f);
    if (options.token) {
      f.socket.send(JSON.stringify({ type: 'hello', version: 1, token: options.token }));
      if ((await settled(f, 'hello')) !== 'pong') throw new Error('the daemon closed a connection that said hello');
    }
    return f;
  };
  const started = performance.now();
  try {
    let fuzzer = await open();
    const details = await fc.check(
      fc.asyncProperty(fc.array(frameArbitrary, { minLength: 1, maxLength: 8 }), async (frames) => {
        if (fuzzer.closeCode !== null) fuzzer = await open();
        for (const f of frames) {
          framesSent++;
          if (f.kind === 'text') fuzzer.socket.send(f.raw);
          else if (f.kind === 'binary') fuzzer.socket.send(f.bytes, { binary: true });
          else if (f.kind === 'invalid_utf8') fuzzer.socket.send(Buffer.from(f.bytes), { binary: false });
          else fuzzer.socket.send('x'.repeat(64 * 1024));
        }
        if ((await settled(fuzzer, `run${run++}`)) === 'closed') {
          const code = await fuzzer.closed;
          closes[code] = (closes[code] ?? 0) + 1;
          // Allowed: a frame too large (1009) or not UTF-8 (1007); another protocol version in
          // hello/pair (1002, after saying so); no hello in time (1008, before authenticating).
          const allowed = [1009, 1007, 1002, ...(options.token ? [] : [1008])];
          if (!allowed.includes(code)) throw new Error(`the daemon closed the connection with ${code}`);
          if (code === 1002 && !fuzzer.frames.some((m) => m.includes('"version_mismatch"'))) throw new Error('closed 1002 without saying why');
        }
      }),
      { numRuns: options.numRuns, seed },
    );
    const invalid = fuzzers.flatMap((f) => f.frames).find((raw) => !decodeServerMessage(raw).ok);
    const failed = details.failed || invalid !== undefined;
    return {
      runs: details.numRuns,
      seed,
      framesSent,
      framesReceived: fuzzers.reduce((a, f) => a + f.frames.length, 0),
      closes,
      ms: performance.now() - started,
      failed,
      ...(failed && { report: details.failed ? (fc.defaultReportMessage(details) ?? 'failed') : `the daemon sent a frame outside the protocol: ${invalid!.slice(0, 300)}` }),
    };
  } finally {
    for (const f of fuzzers) f.socket.terminate();
  }
}
