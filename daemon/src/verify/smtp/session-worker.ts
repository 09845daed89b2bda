import { randomBytes } from 'node:crypto';
import type { ParsedAddress } from '@mailping/shared';
import { trace } from '../../metrics/timing-trace';
import type { BatchState, Hand, SessionEnd, SessionStatus } from './batch-state';
import { likelyLastFlight, worthFollowUp } from './chunk-plan';
import * as cmd from './command';
import { SmtpConnection, type Outgoing } from './connection';
import { hasCapability, NO_CAPABILITIES, parseEhlo, type Capabilities } from './ehlo';
import type { SmtpFailure } from './failure';
import type { Reply } from './reply-parser';
import type { MxTarget, SessionContext, SessionOptions, SmtpPhase } from './session-types';
import { PROBE_TAG } from './transcript';

const QUIT_TIMEOUT_MS = 2000;
/** Names session workers apart in a timing trace (MAILPING_TRACE). */
let workerSerial = 0;
/**
 * How long answers wait for a pipelined QUIT's 221 once the RCPT replies are in. Servers send it
 * in the same packet (Postfix does) or just after; one that sends it later (its own Nagle delay
 * holds a second small packet for an ACK: one more round trip) must not hold the person's answer.
 * The trade-off: a duplicated reply that shows only in a 221 arriving later than this is not
 * caught before the answers go out (the goodbye still ends the connection, and says so in the
 * transcript).
 */
export const PROOF_GRACE_MS = 2;

interface Opened {
  connection: SmtpConnection;
  target: MxTarget;
  id: number;
  release: () => void;
}

/**
 * One connection slot's worth of work for a domain: connect, converse, QUIT, and again while
 * addresses are left and the server has not deferred us. Reads and changes the batch only
 * through its BatchState; each session ends with a SessionEnd that says why, in facts.
 */
export class SessionWorker {
  private readonly hand: Hand;
  private targetIndex = 0;
  private readonly w = ++workerSerial;


  constructor(
    private readonly state: BatchState,
    private readonly targets: MxTarget[],
    private readonly options: SessionOptions,
    private readonly context: SessionContext,
  ) {
    this.hand = state.hand();
  }

  async work(): Promise<void> {
    let fruitless = 0;
    while (this.state.waiting(this.hand) > 0 && this.state.mayConnect() && !this.context.signal.aborted) {
      const opened = await this.connect();
      // Another session was deferred while this one waited for a slot (the host's backoff has
      // begun: no new connection; what this hand holds goes back for settle() to answer), or
      // the other sessions have asked everything.
      if (opened === 'halted') {
        this.state.endSession(this.hand, { kind: 'done' });
        return;
      }
      if (!('connection' in opened)) {
        this.state.endSession(this.hand, opened);
        return;
      }
      const before = this.state.answered;
      let end: SessionEnd;
      try {
        end = await this.converse(opened.connection, opened.target);
      } catch (error) {
        opened.connection.close();
        opened.release();
        throw error;
      }
      // Always QUIT. The connection's slot (politeness) stays taken until the server answers it;
      // but once nothing is left to ask, the answers need not wait for that goodbye — unless some
      // are provisional, and only the 221 can prove the replies were in step.
      trace('session.end', { mx: opened.target.host, w: this.w, kind: end.kind });
      const pipelinedQuit = opened.connection.quitPipelined;
      const goodbye = opened.connection.quit(QUIT_TIMEOUT_MS).finally(() => {
        trace('slot.released', { mx: opened.target.host, w: this.w });
        opened.release();
      });
      this.state.roundTrips(opened.id, opened.connection.roundTrips);
      // A duplicated reply that arrives late shifts every later one, and shows only when a later
      // reply (the next exchange, or QUIT's 221) cannot fit: until then answers are provisional.
      // A QUIT pipelined with the last RCPTs is waited for only briefly (PROOF_GRACE_MS); the
      // slot stays taken until the connection is closed all the same.
      if (this.state.hasUnproven(this.hand)) {
        const outOfStep = pipelinedQuit ? await opened.connection.goodbyeWithin(this.options.proofGraceMs ?? PROOF_GRACE_MS) : await goodbye;
        if (outOfStep && end.kind === 'done') end = { kind: 'failed', status: { target: opened.target, tls: opened.connection.tls, pipelining: false }, failure: outOfStep, atRcpt: true };
        // Out of step: endSession drops them. A timeout or a hang-up proves nothing either way.
        if (!(end.kind === 'failed' && end.failure.failure === 'protocol_error')) this.state.prove(this.hand);
      }
      this.state.endSession(this.hand, end);
      // A connection that answered nothing new twice in a row will not do better a third time.
      fruitless = this.state.answered > before ? 0 : fruitless + 1;
      const goOn =
        end.kind === 'done' && this.state.waiting(this.hand) > 0 && this.state.mayConnect() && !this.context.signal.aborted && fruitless < 2;
      if (!goOn) return;
      await goodbye;
      trace('goodbye.awaited', { mx: opened.target.host, w: this.w });
    }
  }

  /** Tries the MX hosts from the last good one on, until one greets us with 2xx. */
  private async connect(): Promise<Opened | 'halted' | Exclude<SessionEnd, { kind: 'done' }>> {
    this.state.beginConnect(this.hand);
    let last: Exclude<SessionEnd, { kind: 'done' }> | null = null;
    for (let i = this.targetIndex; i < this.targets.length; i++) {
      const target = this.targets[i]!;
      const status: SessionStatus = { target, tls: false, pipelining: false };
      if (this.context.signal.aborted) break;
      let release: () => void;
      trace('slot.wait', { mx: target.host, w: this.w });
      try {
        release = (await this.options.acquireSlot?.(target.ip, this.context.signal)) ?? (() => {});
        trace('slot.got', { mx: target.host, w: this.w });
      } catch {
        break;
      }
      // Halted meanwhile, or the other sessions asked everything while this one waited for its
      // slot: no connection that would ask nothing.
      if (!this.state.mayConnect() || this.state.waiting(this.hand) === 0) {
        release();
        return 'halted';
      }
      const { id, sink } = this.state.openAttempt(this.hand);
      let connection: SmtpConnection;
      try {
        // Dialling first, telling after: a progress frame to a client is not worth a delay on the wire.
        const opening = SmtpConnection.open(this.options.dial, { ...target, port: this.options.port }, {
          connectTimeoutMs: this.options.connectTimeoutMs,
          signal: this.context.signal,
          log: sink,
        });
        this.phase('connect', this.state.upcoming(this.hand));
        connection = await opening;
      } catch (error) {
        const failure = asFailure(error);
        sink('*', `${failure.failure}: ${failure.message}`);
        this.state.roundTrips(id, 1);
        release();
        last = { kind: 'failed', status, failure, atRcpt: false };
        continue;
      }
      this.state.connected();
      trace('tcp.connected', { mx: target.host, w: this.w });
      const greeting = await connection.greeting(this.options.greetingTimeoutMs);
      trace('greeted', { mx: target.host, w: this.w });
      const banner = greeting.replies[0];
      if (banner && banner.code >= 200 && banner.code < 300) {
        this.targetIndex = i;
        return { connection, target, id, release };
      }
      last = banner
        ? banner.code < 500
          ? { kind: 'deferred', status, reply: banner, command: 'greeting', failure: null, atRcpt: false }
          : { kind: 'refused', status, reply: banner, command: 'greeting' }
        : { kind: 'failed', status, failure: greeting.failure ?? noReply('greeting'), atRcpt: false };
      // RFC 5321 §3.1: a server that greets with 554 (or 4xx) wants no session; try the next MX.
      await connection.quit(QUIT_TIMEOUT_MS);
      this.state.roundTrips(id, connection.roundTrips);
      release();
    }
    return last ?? { kind: 'failed', status: { target: null, tls: false, pipelining: false }, failure: this.abortFailure(), atRcpt: false };
  }

  private async converse(connection: SmtpConnection, target: MxTarget): Promise<SessionEnd> {
    const o = this.options;
    let caps = await this.hello(connection, target);
    trace('ehlo', { mx: target.host, w: this.w });
    if (!('keywords' in caps)) return caps;
    if ((o.tls === 'always' || this.state.tlsRequired) && hasCapability(caps, 'STARTTLS')) {
      caps = await this.startTls(connection, target);
      if (!('keywords' in caps)) return caps;
    }

    let errors = 0;
    let rcpts = 0;
    let inTransaction = false;
    let tlsRetried = false;
    for (;;) {
      const pipelining = hasCapability(caps, 'PIPELINING');
      const status: SessionStatus = { target, tls: connection.tls, pipelining };
      const probeCost = this.state.probePending ? 1 : 0;
      // Every RCPT in flight might be refused: never send more than the errors the server allows.
      // A domain that accepted a random address accepts them all: then only the session cap counts.
      const errorRoom = this.state.catchAll === true ? o.maxRcptPerSession : o.errorBudget - errors - probeCost;
      const room = Math.min(errorRoom, o.maxRcptPerSession - rcpts);
      // A trickle of RCPTs per round trip costs more than a fresh session (connect, EHLO: about
      // four round trips for a whole budget of RCPTs), unless it finishes the domain.
      const waiting = this.state.waiting(this.hand);
      if (room < 1 || (rcpts > 0 && !worthFollowUp(room, waiting))) return { kind: 'done' };
      const flight = await this.rcptTokens(pipelining ? room : 1, waiting);
      // Stopped while the budget answered (leases lost): the tokens go unspent, no RCPT goes out.
      if (this.context.signal.aborted) return this.broken(undefined, status, rcpts > 0);
      if (flight.size < 1) return { kind: 'done' };
      const chunk = this.state.take(this.hand, flight.size);
      if (chunk.length === 0) return { kind: 'done' };

      const commands: Outgoing[] = [];
      if (!inTransaction) commands.push({ line: this.mailFromLine(caps) });
      const rcptsNow = pipelining || inTransaction ? chunk : [];
      for (const r of rcptsNow) commands.push({ line: cmd.rcptTo(r.normalized), tag: r.normalized });
      const withProbe = pipelining && flight.probe && this.state.claimProbe();
      if (withProbe) commands.push({ line: cmd.rcptTo(this.probeAddress(chunk[0]!)), tag: PROBE_TAG });
      // Probably the session's last flight (nothing left, or too little budget left after the
      // refusals it will likely draw): QUIT goes with it. It saves the goodbye's round trip, and
      // its 221 coming last proves no reply before it was extra or missing.
      const quitting =
        pipelining &&
        likelyLastFlight({
          rcpts: rcptsNow.length + (withProbe ? 1 : 0),
          probe: withProbe,
          errorRoom: this.state.catchAll === true ? Infinity : o.errorBudget - errors,
          sessionRoom: o.maxRcptPerSession - rcpts,
          waiting,
          refusalShare: this.state.refusalShare,
        });
      if (quitting) commands.push({ line: cmd.QUIT });

      this.state.sent(this.hand, rcptsNow);
      trace('flight.sent', { mx: target.host, w: this.w, rcpts: rcptsNow.length, probe: withProbe, quit: quitting });
      const replied = connection.exchange(commands, o.commandTimeoutMs, commands[0]!.line.split(':')[0]!);
      this.phase('rcpt', chunk);
      const exchange = await replied;
      trace('flight.replies', { mx: target.host, w: this.w, replies: exchange.replies.length });
      let replies = exchange.replies;

      if (!inTransaction) {
        const mail = replies[0];
        replies = replies.slice(1);
        // The RCPTs pipelined behind a refused MAIL were refused for its sake (503): they say
        // nothing about the addresses, nor does the probe's.
        if (!mail || mail.code >= 300 || exchange.failure?.failure === 'protocol_error') {
          if (withProbe) this.state.settleProbe(null);
          this.hand.sent.clear();
        }
        if (!mail || exchange.failure?.failure === 'protocol_error') return this.broken(exchange.failure, status, false);
        if (mail.code === 421) return { kind: 'deferred', status, reply: mail, command: 'MAIL FROM', failure: null, atRcpt: false };
        if (mail.code === 530 && !connection.tls && !tlsRetried && hasCapability(caps, 'STARTTLS')) {
          // "530 5.7.0 Must issue a STARTTLS command first": the RCPTs we pipelined were refused
          // for the same reason (503), so they are asked again once the session is encrypted
          // (in a new session when QUIT already went out).
          this.state.demandTls();
          if (quitting) return { kind: 'done' };
          tlsRetried = true;
          caps = await this.startTls(connection, target);
          if (!('keywords' in caps)) return caps;
          continue;
        }
        // The sender was refused: that is about us, and answers for every address alike.
        if (mail.code >= 300) return { kind: 'refused', status, reply: mail, command: 'MAIL FROM' };
        inTransaction = true;
        if (!pipelining) {
          // Without PIPELINING the RCPT goes in its own round trip.
          this.state.sent(this.hand, [chunk[0]!]);
          const rcpt = await connection.exchange([{ line: cmd.rcptTo(chunk[0]!.normalized), tag: chunk[0]!.normalized }], o.commandTimeoutMs, 'RCPT TO');
          replies = rcpt.replies;
          if (rcpt.failure) exchange.failure = rcpt.failure;
        }
      }
      // A reply that cannot be paired with certainty ends the session before anything is decided.
      if (exchange.failure?.failure === 'protocol_error') {
        if (withProbe) this.state.settleProbe(null);
        return this.broken(exchange.failure, status, true);
      }

      let deferral: Reply | null = null;
      for (const [i, r] of chunk.entries()) {
        const reply = replies[i];
        if (!reply) break;
        // Its own answer, 421 included: the address whose RCPT was deferred quotes that reply.
        this.state.provisional(this.hand, r, { reply, command: 'RCPT TO', failure: null, ...status });
        rcpts++;
        if (reply.code >= 400) errors++;
        if (reply.code === 421) {
          deferral = reply;
          break;
        }
      }
      // Only QUIT's 221, in step and last, proves no reply before it was extra: a duplicate that
      // arrives late still pairs, and shifts every later reply by one (work() waits for the 221).
      // A 421 or a hang-up leaves nothing more to check against: their answers stand (re-asking
      // would add to the load).
      if (deferral || exchange.failure) this.state.prove(this.hand);

      if (withProbe) {
        const reply = deferral ? null : (replies[chunk.length] ?? null);
        this.state.settleProbe(reply);
        if (reply && reply.code >= 400) errors++;
        if (reply?.code === 421) deferral = reply;
      } else if (!deferral && !pipelining && flight.probe && replies.some((r) => r.code >= 200 && r.code < 300) && this.state.claimProbe()) {
        // Without pipelining the probe costs a round trip: only spend it once an address was accepted.
        const asked = await connection.exchange([{ line: cmd.rcptTo(this.probeAddress(chunk[0]!)), tag: PROBE_TAG }], o.commandTimeoutMs, 'RCPT TO');
        if (asked.failure?.failure === 'protocol_error') {
          this.state.settleProbe(null);
          return this.broken(asked.failure, status, true);
        }
        const reply = asked.replies[0] ?? null;
        this.state.settleProbe(reply);
        if (reply && reply.code >= 400) errors++;
        if (reply?.code === 421) deferral = reply;
        if (!reply && asked.failure) return this.broken(asked.failure, status, true);
      }
      // The server is closing the session (too many errors, too much volume): the rest of the
      // domain waits for its backoff rather than knocking again at once.
      if (deferral) return { kind: 'deferred', status, reply: deferral, command: 'RCPT TO', failure: null, atRcpt: true };
      if (exchange.failure) return this.broken(exchange.failure, status, true);
      if (quitting) return { kind: 'done' };
    }
  }

  /**
   * How many RCPTs the next flight may carry: the domain's RCPT budget is drawn here, right
   * before they go out (a token taken earlier, before connect and EHLO, would be spent later
   * than its window). The catch-all probe, while it is still to be asked, is paid for like an
   * address; `probe`: this flight may ask it (only a paid-for probe is sent). Refused: the batch
   * asks nothing more (`ration`), and the session ends with QUIT.
   */
  private async rcptTokens(size: number, waiting: number): Promise<{ size: number; probe: boolean }> {
    const take = this.options.takeRcptTokens;
    if (!take) return { size, probe: true };
    const domain = this.state.upcoming(this.hand)[0]?.domain;
    if (!domain) return { size: 0, probe: false };
    const probe = this.state.probePending ? 1 : 0;
    const granted = await take(domain, Math.min(size, waiting) + probe);
    // Too few for an address and the probe it needs: none goes without it (a 250 from a domain
    // not yet probed would read as "accepted"); the token is spent, which only errs polite.
    if (granted - probe < 1) {
      this.state.ration();
      return { size: 0, probe: false };
    }
    return { size: Math.min(size, granted - probe), probe: probe === 1 };
  }

  /** EHLO, falling back to HELO for servers that refuse it (RFC 5321 §3.2). */
  private async hello(connection: SmtpConnection, target: MxTarget): Promise<Capabilities | SessionEnd> {
    const o = this.options;
    const status: SessionStatus = { target, tls: connection.tls, pipelining: false };
    const sent = connection.exchange([{ line: cmd.ehlo(o.helo) }], o.commandTimeoutMs, 'EHLO');
    this.phase('ehlo', this.state.upcoming(this.hand));
    const ehlo = await sent;
    const reply = ehlo.replies[0];
    if (!reply || ehlo.failure) return this.broken(ehlo.failure, status, false);
    if (reply.code >= 200 && reply.code < 300) return parseEhlo(reply);
    if (reply.code >= 500 && reply.code <= 504 && !connection.tls) {
      const helo = await connection.exchange([{ line: cmd.helo(o.helo) }], o.commandTimeoutMs, 'HELO');
      const heloReply = helo.replies[0];
      if (!heloReply || helo.failure) return this.broken(helo.failure, status, false);
      if (heloReply.code >= 200 && heloReply.code < 300) return NO_CAPABILITIES;
      return sessionRefusal(status, heloReply, 'HELO');
    }
    return sessionRefusal(status, reply, 'EHLO');
  }

  private async startTls(connection: SmtpConnection, target: MxTarget): Promise<Capabilities | SessionEnd> {
    const o = this.options;
    const status: SessionStatus = { target, tls: false, pipelining: false };
    const start = await connection.exchange([{ line: cmd.STARTTLS }], o.commandTimeoutMs, 'STARTTLS');
    const reply = start.replies[0];
    if (!reply || start.failure) return this.broken(start.failure, status, false);
    if (reply.code !== 220) return sessionRefusal(status, reply, 'STARTTLS');
    const failure = await connection.startTls(target.host, o.commandTimeoutMs);
    if (failure) return { kind: 'failed', status, failure, atRcpt: false };
    // RFC 3207 §4.2: forget everything learnt before TLS and say EHLO again.
    return this.hello(connection, target);
  }

  /** No usable reply: the server hung up (a deferral), or timed out or spoke garbage (a failure). */
  private broken(failure: SmtpFailure | undefined, status: SessionStatus, atRcpt: boolean): SessionEnd {
    const f = failure ?? noReply('the command');
    if (this.context.signal.aborted) return { kind: 'failed', status, failure: this.abortFailure(), atRcpt };
    if (f.failure === 'connection_closed') return { kind: 'deferred', status, reply: null, command: null, failure: f, atRcpt };
    return { kind: 'failed', status, failure: f, atRcpt };
  }

  private mailFromLine(caps: Capabilities): string {
    const params = this.state.needsSmtputf8 && hasCapability(caps, 'SMTPUTF8') ? ['SMTPUTF8'] : [];
    return cmd.mailFrom(this.options.from, params);
  }

  private probeAddress(sample: ParsedAddress): string {
    const local = this.options.randomLocalPart?.() ?? randomLocalPart();
    return `${local}@${sample.domain}`;
  }

  private phase(phase: SmtpPhase, addresses: ParsedAddress[]): void {
    this.context.onPhase?.(addresses.map((r) => r.normalized), phase);
  }

  private abortFailure(): SmtpFailure {
    return abortFailureOf(this.context.signal);
  }
}

function sessionRefusal(status: SessionStatus, reply: Reply, command: string): SessionEnd {
  return reply.code === 421
    ? { kind: 'deferred', status, reply, command, failure: null, atRcpt: false }
    : { kind: 'refused', status, reply, command };
}

function noReply(what: string): SmtpFailure {
  return { failure: 'connection_closed', message: `no reply to ${what}` };
}

export function abortFailureOf(signal: AbortSignal): SmtpFailure {
  const reason: unknown = signal.reason;
  if (reason && typeof reason === 'object' && 'failure' in reason && 'message' in reason) {
    const r = reason as SmtpFailure;
    return { failure: r.failure, message: r.message };
  }
  return { failure: 'cancelled', message: 'the verification was cancelled' };
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
