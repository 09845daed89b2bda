import fc from 'fast-check';
import { decodeClientMessage, decodeServerMessage, ERROR_CODES, MAX_MESSAGE_BYTES, parseAddress } from '@mailping/shared';
import { parseEhlo, hasCapability } from '../../daemon/src/verify/smtp/ehlo';
import { CommandInjectionError, command, ehlo, mailFrom, rcptTo } from '../../daemon/src/verify/smtp/command';
import { isReplyError, ReplyParser, type Reply, type ReplyError } from '../../daemon/src/verify/smtp/reply-parser';

/**
 * Fuzz targets for what faces the outside world, as fast-check properties: the SMTP reply
 * parser and the EHLO parser (fed by hostile servers), address syntax down to the SMTP command
 * (fed by whatever a page or a list holds), and the WebSocket protocol decoder (fed by any
 * client). The unit suites beside the code hold smaller properties on well-formed input; these
 * generators aim at the edges: hostile byte streams split anywhere, control characters and
 * Unicode line breaks, near-miss protocol messages. The same targets run a few thousand times in
 * `pnpm test` (fuzz.test.ts) and hundreds of thousands of times in `pnpm bench`.
 */
export interface FuzzTarget {
  name: string;
  property: fc.IProperty<never> | fc.IProperty<unknown[]>;
}

const LIMITS = { maxLineBytes: 512, maxLines: 12 };
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

// ---- SMTP replies ------------------------------------------------------------------------

const text = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[ -~]{0,40}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('2.1.5 Ok', '5.1.1 <a@b>: User unknown', '4.7.0 Error: too many errors', '9.9.9 odd', '5.1', 'é€\u2028\u0085') },
);
const code = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 200, max: 599 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 9999 }) });
const eol = fc.constantFrom('\r\n', '\r\n', '\n', '\r', '');
/** One line of what a server might send, well-formed or not. */
const replyLine = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(code, fc.constantFrom(' ', '-', ''), text, eol).map(([c, sep, t, e]) => `${c}${sep}${t}${e}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map((n) => `250-${'x'.repeat(n)}\r\n`) },
  { weight: 1, arbitrary: fc.constantFrom('SSH-2.0-OpenSSH_9.6\r\n', '\u0000\u0000\r\n', '\r\n', '250\r\n', '250 \r\n', '\x1b[31m550 red\r\n') },
);
const hostileStream = fc
  .tuple(fc.array(replyLine, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 12 }))
  .map(([lines, cuts]) => {
    const wire = Buffer.from(lines.join(''), 'utf8');
    const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let from = 0;
    for (const at of [...points, wire.length]) {
      pieces.push(wire.subarray(from, at));
      from = at;
    }
    return { wire, pieces };
  });

function checkReply(item: Reply | ReplyError): void {
  if (isReplyError(item)) {
    if (!['line_too_long', 'reply_too_long', 'malformed_reply'].includes(item.error)) throw new Error(`unknown error ${item.error}`);
    if (item.line !== undefined && (item.line.length > 200 || CONTROL.test(item.line))) throw new Error('error line not sanitised or too long');
    return;
  }
  if (!(item.code >= 200 && item.code <= 599)) throw new Error(`reply code ${item.code}`);
  if (item.lines.length === 0 || item.lines.length > LIMITS.maxLines) throw new Error(`${item.lines.length} lines`);
  for (const l of item.lines) if (CONTROL.test(l)) throw new Error(`control character in ${JSON.stringify(l)}`);
  if (item.enhanced !== null) {
    if (!/^[245]\.\d{1,3}\.\d{1,3}$/.test(item.enhanced) || item.enhanced[0] !== String(item.code)[0]) throw new Error(`enhanced ${item.enhanced} for ${item.code}`);
  }
}

export const replyParserTarget: FuzzTarget = {
  name: 'SMTP reply parser (hostile streams, split anywhere)',
  property: fc.property(hostileStream, ({ wire, pieces }) => {
    const whole = new ReplyParser(LIMITS).push(wire);
    const split = new ReplyParser(LIMITS);
    const out: Array<Reply | ReplyError> = [];
    for (const piece of pieces) out.push(...split.push(piece));
    // The same stream gives the same replies however it arrives.
    if (JSON.stringify(out) !== JSON.stringify(whole)) throw new Error('split and whole streams disagree');
    whole.forEach(checkReply);
    // At most one error, and it is the last thing said: after it the stream is dead.
    const errors = whole.filter(isReplyError).length;
    if (errors > 1 || (errors === 1 && !isReplyError(whole.at(-1)!))) throw new Error('output after an error');
    if (errors === 1 && split.push(Buffer.from('250 more\r\n')).length !== 0) throw new Error('a failed parser kept parsing');
  }),
};

// ---- EHLO --------------------------------------------------------------------------------

const ehloLine = fc.oneof(
  fc.constantFrom('PIPELINING', 'SIZE 10240000', 'STARTTLS', 'ENHANCEDSTATUSCODES', 'SMTPUTF8', 'AUTH PLAIN LOGIN', '8BITMIME', 'CHUNKING', 'pipelining', 'X-EXPS=LOGIN'),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  fc.stringMatching(/^[ -~]{0,60}$/),
);
export const ehloParserTarget: FuzzTarget = {
  name: 'EHLO capability parser',
  property: fc.property(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')), fc.array(ehloLine, { maxLength: 40 }), (name, keywords) => {
    const lines = [name, ...keywords];
    const wire = lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join('');
    for (const item of new ReplyParser({ maxLineBytes: 4096, maxLines: 100 }).push(wire)) {
      if (isReplyError(item)) continue;
      const caps = parseEhlo(item);
      if (/\s/.test(caps.serverName)) throw new Error(`server name ${JSON.stringify(caps.serverName)}`);
      for (const [k, params] of caps.keywords) {
        if (!/^[A-Z0-9][A-Z0-9-]*$/.test(k)) throw new Error(`keyword ${JSON.stringify(k)}`);
        if (!hasCapability(caps, k.toLowerCase())) throw new Error(`hasCapability(${k}) is case-sensitive`);
        for (const p of params) if (p === '' || /\s/.test(p)) throw new Error(`parameter ${JSON.stringify(p)}`);
      }
    }
  }),
};

// ---- Address syntax → SMTP commands ------------------------------------------------------

const nasty = fc.constantFrom('\r', '\n', '\r\n', '\u0000', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c', '\\', '"', '<', '>', ' ', '\t', '@', '.', 'é', 'ß', '\u200b', '%0d%0a', '\ud800');
const fragment = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._+-]{1,12}$/), nasty, fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const word = fc.array(fragment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
/** Things a page, a CSV cell or a crafted link may put where an address goes. */
export const hostileAddress = fc.oneof(
  fc.tuple(word, fc.constantFrom('example.com', 'scripted-29.test', 'bücher.example', 'EXAMPLE.COM.', 'xn--bcher-kva.example'), fc.constantFrom('', ' ', '\r\n', '\n')).map(([l, d, tail]) => `${l}@${d}${tail}`),
  fc.tuple(word, fc.constantFrom('example.com', 'scripted-29.test')).map(([l, d]) => `"${l}"@${d}`),
  fc.tuple(word, word).map(([l, d]) => `${l}@${d}`),
  fc.string({ unit: 'binary', maxLength: 120 }),
);

export const addressCommandTarget: FuzzTarget = {
  name: 'address syntax → SMTP commands (no CR, LF or NUL ever)',
  property: fc.property(hostileAddress, (input) => {
    const parsed = parseAddress(input);
    if (!parsed.ok) return;
    const a = parsed.address;
    for (const line of [rcptTo(a.normalized), mailFrom(a.normalized, a.smtputf8 ? ['SMTPUTF8'] : []), ehlo(a.domain)]) {
      if (/[\r\n\0]/.test(line)) throw new Error(`a command with CR/LF/NUL: ${JSON.stringify(line)}`);
    }
    if (/[\u0000-\u001f\u007f]/.test(a.normalized)) throw new Error(`control character in ${JSON.stringify(a.normalized)}`);
    // The domain is what DNS is asked and what the MX answers for: plain lower-case ASCII.
    if (!/^[a-z0-9.-]+$/.test(a.domain)) throw new Error(`domain ${JSON.stringify(a.domain)}`);
    const again = parseAddress(a.normalized);
    if (!again.ok || again.address.normalized !== a.normalized) throw new Error(`not idempotent: ${JSON.stringify(a.normalized)}`);
  }),
};

export const commandGuardTarget: FuzzTarget = {
  name: 'command builder refuses exactly what carries CR, LF or NUL',
  property: fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (argument) => {
    let threw = false;
    try {
      command('RCPT TO:', argument);
    } catch (error) {
      if (!(error instanceof CommandInjectionError)) throw error;
      threw = true;
    }
    if (threw !== /[\r\n\0]/.test(argument)) throw new Error(`guard ${threw ? 'refused' : 'let through'} ${JSON.stringify(argument)}`);
  }),
};

// ---- WebSocket protocol ------------------------------------------------------------------

const TYPES = ['hello', 'pair', 'verify', 'cancel', 'history', 'ping', 'welcome', 'result', 'error', 'x', '', 'VERIFY', '__proto__', 'constructor'];
const anyValue = fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
/** Near-miss client messages: the right keys with wrong values, extra keys, prototype tricks. */
export const clientFrame = fc.oneof(
  fc
    .record(
      {
        type: fc.oneof(fc.constantFrom(...TYPES), anyValue),
        id: fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), anyValue),
        version: fc.oneof(fc.constant(1), anyValue),
        token: anyValue,
        code: anyValue,
        address: fc.oneof(hostileAddress, anyValue),
        fresh: anyValue,
        limit: anyValue,
        before: anyValue,
        label: anyValue,
        extra: anyValue,
      },
      { requiredKeys: ['type'] },
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('{"type":"ping","__proto__":{"type":"hello"}}', '{"type":"verify","id":"a","address":"a@b.c","id":"b"}', '[]', 'null', '"ping"', '{"type":"ping"', `{"type":"ping","pad":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}`),
);

export const protocolDecoderTarget: FuzzTarget = {
  name: 'WebSocket protocol decoder (client and daemon frames)',
  property: fc.property(clientFrame, (raw) => {
    for (const decode of [decodeClientMessage, decodeServerMessage]) {
      const d = decode(raw);
      if (d.ok) {
        // What was accepted survives a round trip unchanged: nothing half-parsed gets through.
        const again = decode(JSON.stringify(d.message));
        if (!again.ok || JSON.stringify(again.message) !== JSON.stringify(d.message)) throw new Error(`round trip changed ${raw.slice(0, 100)}`);
        if (Object.getPrototypeOf(d.message) !== Object.prototype) throw new Error('prototype of a decoded message changed');
      } else {
        if (!(ERROR_CODES as readonly string[]).includes(d.error.code) || typeof d.error.message !== 'string') throw new Error(`error ${JSON.stringify(d.error)}`);
        if (d.error.id !== undefined && (typeof d.error.id !== 'string' || d.error.id.length === 0 || d.error.id.length > 64)) throw new Error('echoed an unusable id');
      }
    }
    if (raw.length > MAX_MESSAGE_BYTES && decodeClientMessage(raw).ok) throw new Error('an oversized frame was accepted');
  }),
};

export const FUZZ_TARGETS: readonly FuzzTarget[] = [replyParserTarget, ehloParserTarget, addressCommandTarget, commandGuardTarget, protocolDecoderTarget];

export interface FuzzOutcome {
  name: string;
  runs: number;
  seed: number;
  ms: number;
  failed: boolean;
  /** fast-check's report (counterexample and how to replay it) when it failed. */
  report?: string;
}

/** Runs one target; never throws, the outcome says whether it held. */
export function runTarget(target: FuzzTarget, numRuns: number, seed: number): FuzzOutcome {
  const started = performance.now();
  const details = fc.check(target.property as fc.IProperty<unknown[]>, { numRuns, seed });
  const ms = performance.now() - started;
  return {
    name: target.name,
    runs: details.numRuns,
    seed,
    ms,
    failed: details.failed,
    ...(details.failed && { report: fc.defaultReportMessage(details) ?? 'failed' }),
  };
}
