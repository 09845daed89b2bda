import { randomBytes } from 'node:crypto';
import type { ParsedAddress } from '@mailping/shared';
import * as cmd from './command';
import { SmtpConnection, type Exchange, type Outgoing } from './connection';
import { hasCapability, NO_CAPABILITIES, parseEhlo, type Capabilities } from './ehlo';
import type { SmtpFailure } from './failure';
import type { Reply } from './reply-parser';
import type { Decision, DomainRun, MxTarget, SessionContext, SessionOptions, SmtpPhase } from './session';
import { PROBE_TAG } from './transcript';

const QUIT_TIMEOUT_MS = 2000;

type Status = Pick<Decision, 'target' | 'tls' | 'pipelining'>;

interface Opened {
  connection: SmtpConnection;
  target: MxTarget;
  id: number;
  release: () => void;
}

/**
 * One connection slot's worth of work for a domain: connect, converse, QUIT, and again while
 * addresses are left. Takes its addresses from the run's shared queue a chunk at a time.
 */
export class SessionWorker {
  /** Addresses this worker took from the queue and has no answer for yet. */
  private taken: ParsedAddress[] = [];
  private readonly attempts: number[] = [];
  private targetIndex = 0;
  private lastDecision: Decision | null = null;
  private answered = 0;

  constructor(
    private readonly run: DomainRun,
    private readonly targets: MxTarget[],
    private readonly options: SessionOptions,
    private readonly context: SessionContext,
  ) {}

  async work(): Promise<void> {
    try {
      let fruitless = 0;
      let goOn = this.hasWork();
      while (goOn) {
        const opened = await this.connect();
        if (!opened) break;
        const before = this.answered;
        try {
          await this.converse(opened.connection, opened.target);
        } catch (error) {
          opened.connection.close();
          opened.release();
          throw error;
        }
        // A connection that answered nothing new twice in a row will not do better a third time;
        // one that timed out or spoke garbage will not do better a second time.
        fruitless = this.answered > before ? 0 : fruitless + 1;
        goOn =
          this.hasWork() &&
          !this.context.signal.aborted &&
          this.run.connections < this.run.maxConnections &&
          fruitless < 2 &&
          !(fruitless === 1 && this.lastFailureIsHopeless());
        // Always QUIT. The connection's slot (politeness) stays taken until the server answers it;
        // but once nothing is left to ask, the answers need not wait for that goodbye.
        const goodbye = opened.connection.quit(QUIT_TIMEOUT_MS).finally(opened.release);
        this.run.roundTrips.set(opened.id, opened.connection.roundTrips);
        if (goOn) await goodbye;
      }
    } finally {
      this.finish();
    }
  }

  private hasWork(): boolean {
    return this.taken.length > 0 || this.run.queue.length > 0;
  }

  /**
   * Whatever this worker could not get an answer for gets the last thing that went wrong. The
   * last worker standing also answers for the addresses nobody took: the server would not talk.
   */
  private finish(): void {
    this.run.active--;
    const left = this.run.active === 0 ? [...this.taken, ...this.run.queue.splice(0)] : this.taken;
    if (left.length === 0) return;
    const last: Decision = this.lastDecision ?? {
      reply: null,
      command: null,
      failure: { failure: 'deadline', message: 'the verification ran out of time' },
      target: null,
      tls: false,
      pipelining: false,
    };
    const failure = this.context.signal.aborted ? this.abortFailure() : last.failure;
    for (const r of left) {
      this.involve(r);
      this.run.decide(r.normalized, { ...last, failure, reply: failure === last.failure ? last.reply : null });
    }
    this.taken = [];
  }

  /** Tries the MX hosts from the last good one on, until one greets us with 2xx. */
  private async connect(): Promise<Opened | null> {
    for (let i = this.targetIndex; i < this.targets.length; i++) {
      if (this.context.signal.aborted) return null;
      const target = this.targets[i]!;
      let release: () => void;
      try {
        release = (await this.options.acquireSlot?.(target.ip, this.context.signal)) ?? (() => {});
      } catch {
        return null;
      }
      const { id, sink } = this.run.transcript.open();
      this.attempts.push(id);
      for (const r of this.taken) this.run.involvement.get(r.normalized)!.add(id);
      this.phase('connect', this.waiting());
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
        this.run.roundTrips.set(id, 1);
        release();
        this.lastDecision = { reply: null, command: null, failure, target, tls: false, pipelining: false };
        continue;
      }
      this.run.connections++;
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
      this.run.roundTrips.set(id, connection.roundTrips);
      release();
    }
    return null;
  }

  private async converse(connection: SmtpConnection, target: MxTarget): Promise<void> {
    const o = this.options;
    const probe = this.run.probe;
    this.phase('ehlo', this.waiting());
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
    while (this.hasWork() && !connection.closed) {
      const pipelining = hasCapability(caps, 'PIPELINING');
      const status: Status = { target, tls: connection.tls, pipelining };
      const probeCost = probe.claimed ? 0 : 1;
      // Every RCPT in flight might be refused: never send more than the errors the server allows.
      // A domain that accepted a random address accepts them all: then only the session cap counts.
      const errorRoom = probe.catchAll === true ? o.maxRcptPerSession : o.errorBudget - errors - probeCost;
      const room = Math.min(errorRoom, o.maxRcptPerSession - rcpts);
      // One RCPT per round trip costs more than a fresh session (connect, EHLO: about four round
      // trips for a whole budget of RCPTs), unless it is the last address.
      if (room < 1 || (room === 1 && rcpts > 0 && this.taken.length + this.run.queue.length > 1)) break;
      const chunk = this.takeChunk(pipelining ? room : 1);
      if (chunk.length === 0) break;
      this.phase('rcpt', chunk);

      const commands: Outgoing[] = [];
      if (!inTransaction) commands.push({ line: this.mailFromLine(caps) });
      if (pipelining || inTransaction) {
        for (const r of chunk) commands.push({ line: cmd.rcptTo(r.normalized), tag: r.normalized });
      }
      const withProbe = pipelining && !probe.claimed;
      if (withProbe) {
        probe.claimed = true;
        commands.push({ line: cmd.rcptTo(this.probeAddress(chunk[0]!)), tag: PROBE_TAG });
      }

      const exchange = await connection.exchange(commands, o.commandTimeoutMs, commands[0]!.line.split(':')[0]!);
      let replies = exchange.replies;

      if (!inTransaction) {
        const mail = replies[0];
        replies = replies.slice(1);
        if (!mail) {
          if (withProbe) probe.claimed = false;
          this.failed(exchange, status);
          return;
        }
        if (mail.code === 421) {
          if (withProbe) probe.claimed = false;
          this.lastDecision = { ...status, reply: mail, command: 'MAIL FROM', failure: null };
          return;
        }
        if (mail.code === 530 && !connection.tls && !tlsRetried && hasCapability(caps, 'STARTTLS')) {
          // "530 5.7.0 Must issue a STARTTLS command first": the RCPTs we pipelined were refused
          // for the same reason (503), so they are asked again once the session is encrypted.
          if (withProbe) probe.claimed = false;
          tlsRetried = true;
          caps = await this.startTls(connection, target);
          if (!caps) return;
          continue;
        }
        if (mail.code >= 300) {
          // The sender was refused: that is about us, and answers for every address alike.
          const all = [...this.taken, ...this.run.queue.splice(0)];
          for (const r of all) {
            this.involve(r);
            this.run.decide(r.normalized, { ...status, reply: mail, command: 'MAIL FROM', failure: null });
          }
          this.taken = [];
          this.answered += all.length;
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
        this.answer(r, { ...status, reply, command: 'RCPT TO', failure: null });
      }

      if (withProbe) {
        const reply = replies[chunk.length];
        if (reply) {
          this.recordProbe(reply);
          if (reply.code >= 400) errors++;
          if (reply.code === 421) return;
        } else {
          probe.claimed = false;
        }
      } else if (!probe.claimed && !pipelining && replies.some((r) => r.code >= 200 && r.code < 300)) {
        // Without pipelining the probe costs a round trip: only spend it once an address was accepted.
        probe.claimed = true;
        const asked = await connection.exchange([{ line: cmd.rcptTo(this.probeAddress(chunk[0]!)), tag: PROBE_TAG }], o.commandTimeoutMs, 'RCPT TO');
        const reply = asked.replies[0];
        if (reply) {
          this.recordProbe(reply);
          if (reply.code >= 400) errors++;
        } else {
          probe.claimed = false;
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
    const status: Status = { target, tls: connection.tls, pipelining: false };
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
    const status: Status = { target, tls: false, pipelining: false };
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

  /** The addresses to ask next: those a lost connection left unanswered first, then new ones. */
  private takeChunk(size: number): ParsedAddress[] {
    while (this.taken.length < size && this.run.queue.length > 0) {
      const next = this.run.queue.shift()!;
      this.taken.push(next);
      this.involve(next);
    }
    return this.taken.slice(0, size);
  }

  /** The address takes part in every connection this worker has opened so far (for its transcript). */
  private involve(address: ParsedAddress): void {
    const involved = this.run.involvement.get(address.normalized)!;
    for (const id of this.attempts) involved.add(id);
  }

  private answer(address: ParsedAddress, decision: Decision): void {
    this.run.decide(address.normalized, decision);
    this.taken = this.taken.filter((r) => r !== address);
    this.answered++;
  }

  private waiting(): ParsedAddress[] {
    return this.taken.length > 0 ? this.taken : this.run.queue;
  }

  private mailFromLine(caps: Capabilities): string {
    const params = this.run.needsSmtputf8 && hasCapability(caps, 'SMTPUTF8') ? ['SMTPUTF8'] : [];
    return cmd.mailFrom(this.options.from, params);
  }

  private probeAddress(sample: ParsedAddress): string {
    const local = this.options.randomLocalPart?.() ?? randomLocalPart();
    return `${local}@${sample.domain}`;
  }

  private recordProbe(reply: Reply): void {
    const probe = this.run.probe;
    probe.reply = reply;
    if (reply.code >= 200 && reply.code < 300) probe.catchAll = true;
    else if (reply.code >= 500) probe.catchAll = false;
  }

  private failed(exchange: Exchange, status: Status): null {
    this.lastDecision = { ...status, reply: null, command: null, failure: exchange.failure ?? null };
    return null;
  }

  private phase(phase: SmtpPhase, addresses: ParsedAddress[]): void {
    this.context.onPhase?.(addresses.map((r) => r.normalized), phase);
  }

  private lastFailureIsHopeless(): boolean {
    const failure = this.lastDecision?.failure?.failure;
    return failure === 'timeout' || failure === 'protocol_error' || failure === 'tls_failed' || failure === 'deadline';
  }

  private abortFailure(): SmtpFailure {
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
