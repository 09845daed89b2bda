import { randomBytes } from 'node:crypto';
import type { ParsedAddress, TranscriptEntry } from '@mailping/shared';
import * as cmd from './command';
import { SmtpConnection, type Exchange, type Outgoing } from './connection';
import type { Dialer } from './dial';
import { hasCapability, NO_CAPABILITIES, parseEhlo, type Capabilities } from './ehlo';
import type { SmtpFailure } from './failure';
import type { Reply } from './reply-parser';
import { PROBE_TAG, TranscriptRecorder } from './transcript';

export interface MxTarget {
  host: string;
  ip: string;
  preference: number;
}

export interface SessionOptions {
  helo: string;
  /** Envelope sender; '' is the null sender `<>`. */
  from: string;
  /** 'auto': STARTTLS only when the server demands it; 'always': whenever it is offered. */
  tls: 'auto' | 'always';
  port: number;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  commandTimeoutMs: number;
  /** RCPTs per connection before we say goodbye and reconnect. */
  maxRcptPerSession: number;
  /** Rejected commands per connection before we reconnect: below the server's limit (Postfix tarpits after 10). */
  errorBudget: number;
  dial: Dialer;
  /** Ask a random address too, to tell a catch-all domain from a real "yes". */
  probeCatchAll: boolean;
  randomLocalPart?: () => string;
  /** Waits for a free connection slot to this IP (politeness); returns its release. */
  acquireSlot?: (ip: string, signal: AbortSignal) => Promise<() => void>;
}

export type SmtpPhase = 'connect' | 'ehlo' | 'rcpt';

/** What the conversation found out about one recipient. */
export interface RecipientOutcome {
  /** The reply that answers for this address (RCPT, or MAIL/greeting/EHLO when those failed). */
  reply: Reply | null;
  command: string | null;
  /** Why no reply decided, when none did. */
  failure: SmtpFailure | null;
  target: MxTarget | null;
  tls: boolean;
  pipelining: boolean;
  roundTrips: number;
  transcript: TranscriptEntry[];
}

export interface BatchOutcome {
  recipients: Map<string, RecipientOutcome>;
  /** true: a random address was accepted; false: refused; null: not asked or no answer. */
  catchAll: boolean | null;
  probeReply: Reply | null;
  connections: number;
}

interface Decision {
  reply: Reply | null;
  command: string | null;
  failure: SmtpFailure | null;
  target: MxTarget | null;
  tls: boolean;
  pipelining: boolean;
}

const QUIT_TIMEOUT_MS = 2000;

/**
 * One domain's recipients over as few connections as the server's limits allow: best MX first,
 * the next on connection failure; EHLO (HELO if refused), STARTTLS when needed, MAIL once, then
 * RCPTs — pipelined when offered — in chunks no larger than the errors the server will tolerate,
 * reconnecting when it says 421 or hangs up. Never DATA; always QUIT.
 */
export async function runSmtpBatch(
  targets: MxTarget[],
  recipients: ParsedAddress[],
  options: SessionOptions,
  context: { signal: AbortSignal; startedAt: number; onPhase?: (addresses: string[], phase: SmtpPhase) => void },
): Promise<BatchOutcome> {
  return new SmtpBatch(targets, recipients, options, context).run();
}

class SmtpBatch {
  private readonly transcript: TranscriptRecorder;
  private pending: ParsedAddress[];
  private readonly decided = new Map<string, Decision>();
  private readonly involvement = new Map<string, Set<number>>();
  private catchAll: boolean | null = null;
  private probeReply: Reply | null = null;
  private probeDone: boolean;
  private connections = 0;
  private targetIndex = 0;
  private lastDecision: Decision | null = null;
  private readonly roundTrips = new Map<number, number>();

  constructor(
    private readonly targets: MxTarget[],
    recipients: ParsedAddress[],
    private readonly options: SessionOptions,
    private readonly context: { signal: AbortSignal; startedAt: number; onPhase?: (addresses: string[], phase: SmtpPhase) => void },
  ) {
    this.transcript = new TranscriptRecorder(context.startedAt);
    this.pending = [...recipients];
    this.probeDone = !options.probeCatchAll;
    for (const r of recipients) this.involvement.set(r.normalized, new Set());
  }

  async run(): Promise<BatchOutcome> {
    const maxConnections = 2 + Math.ceil(this.pending.length / Math.max(1, this.options.errorBudget - 1));
    let fruitless = 0;
    let goOn = true;
    while (goOn) {
      const opened = await this.connect();
      if (!opened) break;
      const before = this.pending.length;
      try {
        await this.converse(opened.connection, opened.target);
      } catch (error) {
        opened.connection.close();
        opened.release();
        throw error;
      }
      // A connection that answered nothing new twice in a row will not do better a third time;
      // one that timed out or spoke garbage will not do better a second time.
      fruitless = this.pending.length < before ? 0 : fruitless + 1;
      goOn =
        this.pending.length > 0 &&
        !this.context.signal.aborted &&
        this.connections < maxConnections &&
        fruitless < 2 &&
        !(fruitless === 1 && this.lastFailureIsHopeless());
      // Always QUIT. The connection's slot (politeness) stays taken until the server answers it;
      // but once nothing is left to ask, the answers need not wait for that goodbye.
      const goodbye = opened.connection.quit(QUIT_TIMEOUT_MS).finally(opened.release);
      this.roundTrips.set(opened.id, opened.connection.roundTrips);
      if (goOn) await goodbye;
    }
    if (this.pending.length > 0) {
      const last = this.lastDecision ?? {
        reply: null,
        command: null,
        failure: { failure: 'deadline', message: 'the verification ran out of time' } as SmtpFailure,
        target: null,
        tls: false,
        pipelining: false,
      };
      const failure = this.context.signal.aborted ? (this.abortFailure() ?? last.failure) : last.failure;
      for (const r of this.pending) this.decide(r.normalized, { ...last, failure, reply: failure === last.failure ? last.reply : null });
      this.pending = [];
    }
    const outcomes = new Map<string, RecipientOutcome>();
    for (const [address, decision] of this.decided) {
      const involved = this.involvement.get(address) ?? new Set<number>();
      let roundTrips = 0;
      for (const id of involved) roundTrips += this.roundTrips.get(id) ?? 0;
      outcomes.set(address, { ...decision, roundTrips, transcript: this.transcript.forRecipient(address, involved) });
    }
    return { recipients: outcomes, catchAll: this.catchAll, probeReply: this.probeReply, connections: this.connections };
  }

  /** Tries the MX hosts from the last good one on, until one greets us with 2xx. */
  private async connect(): Promise<{ connection: SmtpConnection; target: MxTarget; id: number; release: () => void } | null> {
    for (let i = this.targetIndex; i < this.targets.length; i++) {
      if (this.context.signal.aborted) return null;
      const target = this.targets[i]!;
      let release: () => void;
      try {
        release = (await this.options.acquireSlot?.(target.ip, this.context.signal)) ?? (() => {});
      } catch {
        return null;
      }
      const { id, sink } = this.transcript.open();
      for (const r of this.pending) this.involvement.get(r.normalized)!.add(id);
      this.phase('connect');
      let connection: SmtpConnection;
      try {
        connection = await SmtpConnection.open(this.options.dial, { ...target, port: this.options.port }, {
          connectTimeoutMs: this.options.connectTimeoutMs,
          signal: this.context.signal,
          log: sink,
        });
      } catch (error) {
        const failure = asFailure(error);
        sink('*', `${failure.failure}: ${failure.message}`);
        this.roundTrips.set(id, 1);
        release();
        this.lastDecision = { reply: null, command: null, failure, target, tls: false, pipelining: false };
        continue;
      }
      this.connections++;
      const greeting = await connection.greeting(this.options.greetingTimeoutMs);
      const banner = greeting.replies[0];
      if (banner && banner.code >= 200 && banner.code < 300) {
        this.targetIndex = i;
        return { connection, target, id, release };
      }
      this.lastDecision = {
        reply: banner ?? null,
        command: banner ? 'greeting' : null,
        failure: banner ? null : (greeting.failure ?? null),
        target,
        tls: false,
        pipelining: false,
      };
      // RFC 5321 §3.1: a server that greets with 554 (or 4xx) wants no session; try the next MX.
      await connection.quit(QUIT_TIMEOUT_MS);
      this.roundTrips.set(id, connection.roundTrips);
      release();
    }
    return null;
  }

  private async converse(connection: SmtpConnection, target: MxTarget): Promise<void> {
    const o = this.options;
    const base = { target, tls: false, pipelining: false };
    this.phase('ehlo');
    let caps = await this.hello(connection, target);
    if (!caps) return;
    if (o.tls === 'always' && hasCapability(caps, 'STARTTLS')) {
      caps = await this.startTls(connection, target);
      if (!caps) return;
    }

    let errors = 0;
    let rcpts = 0;
    let inTransaction = false;
    let tlsRetried = false;
    while (this.pending.length > 0 && !connection.closed) {
      const pipelining = hasCapability(caps, 'PIPELINING');
      const status = { ...base, tls: connection.tls, pipelining };
      const probeCost = this.probeDone ? 0 : 1;
      const room = Math.min(o.errorBudget - errors - probeCost, o.maxRcptPerSession - rcpts);
      if (room < 1) break;
      const chunk = this.pending.slice(0, pipelining ? room : 1);
      this.phase('rcpt', chunk);

      const commands: Outgoing[] = [];
      if (!inTransaction) commands.push({ line: this.mailFromLine(caps) });
      if (pipelining || inTransaction) {
        for (const r of chunk) commands.push({ line: cmd.rcptTo(r.normalized), tag: r.normalized });
      }
      const withProbe = pipelining && !this.probeDone;
      if (withProbe) commands.push({ line: cmd.rcptTo(this.probeAddress(chunk[0]!)), tag: PROBE_TAG });

      const exchange = await connection.exchange(commands, o.commandTimeoutMs, commands[0]!.line.split(':')[0]!);
      let replies = exchange.replies;

      if (!inTransaction) {
        const mail = replies[0];
        replies = replies.slice(1);
        if (!mail) {
          this.failed(exchange, status);
          return;
        }
        if (mail.code === 421) {
          this.lastDecision = { ...status, reply: mail, command: 'MAIL FROM', failure: null };
          return;
        }
        if (mail.code === 530 && !connection.tls && !tlsRetried && hasCapability(caps, 'STARTTLS')) {
          // "530 5.7.0 Must issue a STARTTLS command first": the RCPTs we pipelined were refused
          // for the same reason (503), so they are asked again once the session is encrypted.
          tlsRetried = true;
          caps = await this.startTls(connection, target);
          if (!caps) return;
          continue;
        }
        if (mail.code >= 300) {
          // The sender was refused: that is about us, and answers for every address alike.
          for (const r of this.pending) this.decide(r.normalized, { ...status, reply: mail, command: 'MAIL FROM', failure: null });
          this.pending = [];
          this.lastDecision = { ...status, reply: mail, command: 'MAIL FROM', failure: null };
          return;
        }
        inTransaction = true;
        if (!pipelining) {
          // Without PIPELINING the RCPT goes in its own round trip.
          const rcpt = await connection.exchange([{ line: cmd.rcptTo(chunk[0]!.normalized), tag: chunk[0]!.normalized }], o.commandTimeoutMs, 'RCPT TO');
          replies = rcpt.replies;
          if (rcpt.failure) exchange.failure = rcpt.failure;
        }
      }

      for (const [i, r] of chunk.entries()) {
        const reply = replies[i];
        if (!reply) break;
        if (reply.code === 421) {
          // The server is closing the session (often: too many errors). This address and the
          // rest were not judged; they go on a fresh connection.
          this.lastDecision = { ...status, reply, command: 'RCPT TO', failure: null };
          return;
        }
        rcpts++;
        if (reply.code >= 400) errors++;
        this.decide(r.normalized, { ...status, reply, command: 'RCPT TO', failure: null });
      }
      this.pending = this.pending.filter((r) => !this.decided.has(r.normalized));

      if (withProbe) {
        const probe = replies[chunk.length];
        if (probe) {
          this.recordProbe(probe);
          if (probe.code >= 400) errors++;
          if (probe.code === 421) return;
        }
      } else if (!this.probeDone && !pipelining && replies.some((r) => r.code >= 200 && r.code < 300)) {
        // Without pipelining the probe costs a round trip: only spend it once an address was accepted.
        const probe = await connection.exchange([{ line: cmd.rcptTo(this.probeAddress(chunk[0]!)), tag: PROBE_TAG }], o.commandTimeoutMs, 'RCPT TO');
        const reply = probe.replies[0];
        if (reply) {
          this.recordProbe(reply);
          if (reply.code >= 400) errors++;
        }
      }
      if (exchange.failure) {
        this.failed(exchange, status);
        return;
      }
    }
  }

  /** EHLO, falling back to HELO for servers that refuse it (RFC 5321 §3.2). */
  private async hello(connection: SmtpConnection, target: MxTarget): Promise<Capabilities | null> {
    const o = this.options;
    const status = { target, tls: connection.tls, pipelining: false };
    const ehlo = await connection.exchange([{ line: cmd.ehlo(o.helo) }], o.commandTimeoutMs, 'EHLO');
    const reply = ehlo.replies[0];
    if (!reply) return this.failed(ehlo, status);
    if (reply.code >= 200 && reply.code < 300) return parseEhlo(reply);
    if (reply.code >= 500 && reply.code <= 504 && !connection.tls) {
      const helo = await connection.exchange([{ line: cmd.helo(o.helo) }], o.commandTimeoutMs, 'HELO');
      const heloReply = helo.replies[0];
      if (!heloReply) return this.failed(helo, status);
      if (heloReply.code >= 200 && heloReply.code < 300) return NO_CAPABILITIES;
      this.lastDecision = { ...status, reply: heloReply, command: 'HELO', failure: null };
      return null;
    }
    this.lastDecision = { ...status, reply, command: 'EHLO', failure: null };
    return null;
  }

  private async startTls(connection: SmtpConnection, target: MxTarget): Promise<Capabilities | null> {
    const o = this.options;
    const status = { target, tls: false, pipelining: false };
    const start = await connection.exchange([{ line: cmd.STARTTLS }], o.commandTimeoutMs, 'STARTTLS');
    const reply = start.replies[0];
    if (!reply) return this.failed(start, status);
    if (reply.code !== 220) {
      this.lastDecision = { ...status, reply, command: 'STARTTLS', failure: null };
      return null;
    }
    const failure = await connection.startTls(target.host, o.commandTimeoutMs);
    if (failure) {
      this.lastDecision = { ...status, reply: null, command: 'STARTTLS', failure };
      return null;
    }
    // RFC 3207 §4.2: forget everything learnt before TLS and say EHLO again.
    return this.hello(connection, target);
  }

  private mailFromLine(caps: Capabilities): string {
    const params = this.pending.some((r) => r.smtputf8) && hasCapability(caps, 'SMTPUTF8') ? ['SMTPUTF8'] : [];
    return cmd.mailFrom(this.options.from, params);
  }

  private probeAddress(sample: ParsedAddress): string {
    const local = this.options.randomLocalPart?.() ?? randomLocalPart();
    return `${local}@${sample.domain}`;
  }

  private recordProbe(reply: Reply): void {
    this.probeDone = true;
    this.probeReply = reply;
    if (reply.code >= 200 && reply.code < 300) this.catchAll = true;
    else if (reply.code >= 500) this.catchAll = false;
  }

  private failed(exchange: Exchange, status: { target: MxTarget; tls: boolean; pipelining: boolean }): null {
    this.lastDecision = { ...status, reply: null, command: null, failure: exchange.failure ?? null };
    return null;
  }

  private decide(address: string, decision: Decision): void {
    if (!this.decided.has(address)) this.decided.set(address, decision);
  }

  private phase(phase: SmtpPhase, chunk: ParsedAddress[] = this.pending): void {
    this.context.onPhase?.(chunk.map((r) => r.normalized), phase);
  }

  private lastFailureIsHopeless(): boolean {
    const failure = this.lastDecision?.failure?.failure;
    return failure === 'timeout' || failure === 'protocol_error' || failure === 'tls_failed' || failure === 'deadline';
  }

  private abortFailure(): SmtpFailure | null {
    const reason: unknown = this.context.signal.reason;
    if (reason && typeof reason === 'object' && 'failure' in reason) return reason as SmtpFailure;
    return { failure: 'cancelled', message: 'the verification was cancelled' };
  }
}

function asFailure(error: unknown): SmtpFailure {
  if (error && typeof error === 'object' && 'failure' in error && 'message' in error) return error as SmtpFailure;
  return { failure: 'connection_error', message: error instanceof Error ? error.message : String(error) };
}

/** A local part nobody has: 16 random letters and digits, plain enough not to trip syntax filters. */
export function randomLocalPart(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}
