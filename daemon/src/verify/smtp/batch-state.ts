import type { ParsedAddress } from '@mailping/shared';
import { refusalShare } from './chunk-plan';
import type { TranscriptSink } from './connection';
import type { SmtpFailure } from './failure';
import type { Reply } from './reply-parser';
import type { BatchOutcome, Decision, Deferral, MoreAddresses, MxTarget, RecipientOutcome, SessionStop } from './session-types';
import { TranscriptRecorder } from './transcript';

/** Where a session stood when it ended: what the settlement of its unanswered addresses needs. */
export interface SessionStatus {
  target: MxTarget | null;
  tls: boolean;
  pipelining: boolean;
}

/**
 * Why a session ended, as facts:
 * - `done`: we ended it (nothing left, or the error budget is spent);
 * - `refused`: a greeting, EHLO, STARTTLS or MAIL reply refused the session before any RCPT;
 * - `deferred`: the server said 421 or hung up: the rest of the domain waits for its backoff;
 * - `failed`: no usable reply (connect failure, timeout, invalid SMTP).
 * `atRcpt`: the session was asking recipients when it ended, so what ended it answered (or cut
 * off) other addresses' RCPTs, not the session as a whole.
 */
export type SessionEnd =
  | { kind: 'done' }
  | { kind: 'refused'; status: SessionStatus; reply: Reply; command: string }
  | { kind: 'deferred'; status: SessionStatus; reply: Reply | null; command: string | null; failure: SmtpFailure | null; atRcpt: boolean }
  | { kind: 'failed'; status: SessionStatus; failure: SmtpFailure; atRcpt: boolean };

/** The addresses one session worker holds, and the connection attempts it made. */
export interface Hand {
  held: ParsedAddress[];
  /** RCPTs sent on the current connection and not answered yet. */
  sent: Set<string>;
  /** The connection attempts of its current try (failed MX hosts, then the one that answered). */
  attempts: number[];
  /** Answered, but not yet proven in step (see `provisional`). */
  unproven: Array<{ address: ParsedAddress; decision: Answer }>;
}

type Answer = Omit<Decision, 'evidence' | 'notAsked'>;

const NO_STATUS: SessionStatus = { target: null, tls: false, pipelining: false };

/**
 * One domain's batch, owned in one place: the addresses nobody has asked yet (parallel sessions
 * take from one queue), the answers, the catch-all probe (asked once), which connection each
 * address took part in, and how each session ended. Session workers change it only through
 * these methods; `settle()` gives every unanswered address an outcome built from its own facts.
 */
export class BatchState {
  private readonly queue: ParsedAddress[];
  private readonly answers = new Map<string, Decision>();
  private readonly involvement = new Map<string, Set<number>>();
  private readonly roundTripsByConnection = new Map<number, number>();
  /** How the last session that held an address ended without answering it. */
  private readonly stops = new Map<string, SessionEnd & { rcptSent: boolean }>();
  private readonly probe: { wanted: boolean; claimed: boolean; done: boolean; catchAll: boolean | null; reply: Reply | null };
  private lastEnd: SessionEnd = { kind: 'done' };
  private lastAttempts: number[] = [];
  private firstDeferral: Deferral | null = null;
  private opened = 0;
  /** RCPT replies so far and how many refused: the share guides when a session says QUIT. */
  private rcptReplies = 0;
  private rcptRefusals = 0;
  private tlsDemanded = false;
  private brokenProtocol = false;
  /** The domain's RCPT budget refused a flight: no session asks anything more. */
  private rationed = false;
  readonly transcript: TranscriptRecorder;
  readonly needsSmtputf8: boolean;
  private maxConnections: number;
  private readonly perSession: number;
  /** Newcomers the batch may still take (`more`), within the size it was planned for. */
  private room: number;

  constructor(
    recipients: ParsedAddress[],
    options: { probeCatchAll: boolean; errorBudget: number },
    startedAt: number,
    workers: number,
    private readonly more: { pull: MoreAddresses; room: number } | null = null,
  ) {
    this.queue = [...recipients];
    this.transcript = new TranscriptRecorder(startedAt);
    this.needsSmtputf8 = recipients.some((r) => r.smtputf8);
    this.probe = { wanted: options.probeCatchAll, claimed: false, done: false, catchAll: null, reply: null };
    // Enough sessions for the error budget, plus a reconnect or two each; never an endless loop.
    this.perSession = Math.max(1, options.errorBudget - 1);
    this.maxConnections = 2 * workers + Math.ceil(recipients.length / this.perSession);
    this.room = more?.room ?? 0;
    for (const r of recipients) this.involvement.set(r.normalized, new Set());
  }

  /**
   * Newcomers for the domain join the queue while sessions are still asking: a list that arrives
   * in several reads is asked in the sessions already open rather than in sessions of its own.
   * Not once the server deferred us; not an address needing SMTPUTF8 after MAIL went without it.
   */
  private refill(wanted: number): void {
    if (!this.more || this.halted || this.room <= 0 || wanted <= 0) return;
    const got = this.more.pull(Math.min(wanted, this.room), (a) => !a.smtputf8 || this.needsSmtputf8);
    this.room -= got.length;
    for (const r of got) {
      this.queue.push(r);
      this.involvement.set(r.normalized, new Set());
    }
    this.maxConnections += Math.ceil(got.length / this.perSession);
  }

  hand(): Hand {
    return { held: [], sent: new Set(), attempts: [], unproven: [] };
  }

  /** Addresses still to ask, for this hand. Nothing once the server deferred the batch. */
  waiting(hand: Hand): number {
    if (this.queue.length === 0) this.refill(this.room);
    return this.halted ? 0 : hand.held.length + this.queue.length;
  }

  /** The addresses this hand is about to wait for (progress display). */
  upcoming(hand: Hand): ParsedAddress[] {
    return hand.held.length > 0 ? hand.held : this.queue;
  }

  get connections(): number {
    return this.opened;
  }

  mayConnect(): boolean {
    return this.opened < this.maxConnections && !this.halted;
  }

  /** Deferred by the server, its replies came out of step, or the RCPT budget ran out: no session asks anything more. */
  private get halted(): boolean {
    return this.firstDeferral !== null || this.brokenProtocol || this.rationed;
  }

  /**
   * The domain's RCPT budget refused the next flight. Every address not answered yet is left
   * unasked (`rationed`, quoting nothing) for the caller to ask later, when it has tokens again.
   */
  ration(): void {
    this.rationed = true;
  }

  get wasRationed(): boolean {
    return this.rationed;
  }

  /** The server demanded STARTTLS before MAIL ("530 5.7.0"): later sessions start with it. */
  demandTls(): void {
    this.tlsDemanded = true;
  }

  get tlsRequired(): boolean {
    return this.tlsDemanded;
  }

  get deferred(): boolean {
    return this.firstDeferral !== null;
  }

  /** A new try at a session, over the MX hosts in order. */
  beginConnect(hand: Hand): void {
    hand.attempts = [];
    hand.sent.clear();
  }

  /** A new connection attempt: the addresses this hand holds or takes take part in it. */
  openAttempt(hand: Hand): { id: number; sink: TranscriptSink } {
    const attempt = this.transcript.open();
    hand.attempts.push(attempt.id);
    for (const r of hand.held) this.involve(r, attempt.id);
    return attempt;
  }

  connected(): void {
    this.opened++;
  }

  roundTrips(connection: number, count: number): void {
    this.roundTripsByConnection.set(connection, count);
  }

  /** Up to `size` addresses to ask next: the ones this hand holds first, then new ones from the queue. */
  take(hand: Hand, size: number): ParsedAddress[] {
    if (this.halted) return [];
    this.refill(size - hand.held.length - this.queue.length);
    while (hand.held.length < size && this.queue.length > 0) {
      const next = this.queue.shift()!;
      hand.held.push(next);
      for (const id of hand.attempts) this.involve(next, id);
    }
    return hand.held.slice(0, size);
  }

  /** Their RCPTs are on the wire. */
  sent(hand: Hand, addresses: ParsedAddress[]): void {
    for (const r of addresses) hand.sent.add(r.normalized);
  }

  /**
   * The server answered this address's own RCPT, by the order of replies. The answer stands once
   * a later reply on the same connection came in step (`prove`); until then the address is no
   * longer waiting, but not answered either.
   */
  provisional(hand: Hand, address: ParsedAddress, decision: Answer): void {
    this.rcptReplies++;
    if (decision.reply && decision.reply.code >= 400) this.rcptRefusals++;
    hand.held = hand.held.filter((r) => r !== address);
    hand.unproven.push({ address, decision });
  }

  hasUnproven(hand: Hand): boolean {
    return hand.unproven.length > 0;
  }

  /** The replies after them came in step: the provisional answers become the addresses' own. */
  prove(hand: Hand): void {
    for (const { address, decision } of hand.unproven) {
      if (!this.answers.has(address.normalized)) this.answers.set(address.normalized, { ...decision, evidence: 'own', notAsked: null });
      hand.sent.delete(address.normalized);
      this.stops.delete(address.normalized);
    }
    hand.unproven = [];
  }

  /** A later reply proved the order broken: the provisional answers were perhaps someone else's. */
  disprove(hand: Hand): void {
    hand.held.unshift(...hand.unproven.map((u) => u.address));
    hand.unproven = [];
  }

  /** The share of this batch's RCPTs the server refused so far (1/2 before any reply). */
  get refusalShare(): number {
    return refusalShare(this.rcptRefusals, this.rcptReplies);
  }

  get answered(): number {
    return this.answers.size;
  }

  /** Whether the probe still costs an error the budget must leave room for. */
  get probePending(): boolean {
    return this.probe.wanted && !this.probe.done && !this.probe.claimed;
  }

  get catchAll(): boolean | null {
    return this.probe.catchAll;
  }

  /** The probe is asked once per batch: true when this session should send it now. */
  claimProbe(): boolean {
    if (!this.probePending) return false;
    this.probe.claimed = true;
    return true;
  }

  /** The claimed probe's answer, or null when none came (another session may ask it). */
  settleProbe(reply: Reply | null): void {
    this.probe.claimed = false;
    if (!reply) return;
    this.probe.done = true;
    this.probe.reply = reply;
    if (reply.code >= 200 && reply.code < 300) this.probe.catchAll = true;
    else if (reply.code >= 500) this.probe.catchAll = false;
  }

  /**
   * A session ended. What it held and did not get answered goes back to the front of the queue
   * (another session may ask it), remembering how this session ended for it.
   */
  endSession(hand: Hand, end: SessionEnd): void {
    this.disprove(hand);
    for (const r of hand.held) this.stops.set(r.normalized, { ...end, rcptSent: hand.sent.has(r.normalized) });
    this.queue.unshift(...hand.held);
    hand.held = [];
    hand.sent.clear();
    if (end.kind === 'done') return;
    this.lastEnd = end;
    this.lastAttempts = [...hand.attempts];
    if (end.kind === 'failed' && end.failure.failure === 'protocol_error') this.brokenProtocol = true;
    if (end.kind === 'deferred' && !this.firstDeferral && end.status.target) {
      const { host, ip } = end.status.target;
      this.firstDeferral = { host, ip, reply: end.reply, command: end.command };
    }
  }

  /**
   * Every address without an answer gets one from its own facts: the session-level reply that
   * stopped it before its RCPT, the failure of its own RCPT, or "not asked" with how the session
   * ended. `aborted`: the caller gave up (deadline, cancel), which overrides everything but a
   * spent RCPT budget (`ration`): then the unanswered are left unasked, for the caller to ask later.
   */
  settle(aborted: SmtpFailure | null): void {
    for (const r of this.queue.splice(0)) {
      if (this.answers.has(r.normalized)) continue;
      // Before a deadline's verdict too: the caller asks these later, with tokens.
      if (this.rationed) {
        this.answers.set(r.normalized, rationedDecision(this.stops.get(r.normalized)?.rcptSent ?? false));
        continue;
      }
      let stop = this.stops.get(r.normalized);
      if (!stop) {
        // Never taken by a session: the last one that ended badly is what kept it from being asked.
        stop = { ...this.lastEnd, rcptSent: false };
        for (const id of this.lastAttempts) this.involve(r, id);
      }
      this.answers.set(r.normalized, settlement(stop, aborted));
    }
  }

  outcome(): BatchOutcome {
    const recipients = new Map<string, RecipientOutcome>();
    for (const [address, decision] of this.answers) {
      const involved = this.involvement.get(address) ?? new Set<number>();
      let roundTrips = 0;
      for (const id of involved) roundTrips += this.roundTripsByConnection.get(id) ?? 0;
      recipients.set(address, { ...decision, roundTrips, transcript: this.transcript.forRecipient(address, involved) });
    }
    // Replies found out of step after the probe's was read (a late goodbye): its reply may have
    // been another command's, and a catch-all answer is remembered for the whole domain.
    const probeTrusted = !this.brokenProtocol;
    return {
      recipients,
      catchAll: probeTrusted ? this.probe.catchAll : null,
      probeReply: probeTrusted ? this.probe.reply : null,
      connections: this.opened,
      deferral: this.firstDeferral,
    };
  }

  private involve(address: ParsedAddress, connection: number): void {
    this.involvement.get(address.normalized)?.add(connection);
  }
}

const RATIONED: SmtpFailure = { failure: 'rationed', message: "the domain's RCPT budget ran out before this address was asked" };

/** Not asked for lack of RCPT tokens: nothing the server said is this address's, so nothing is quoted. */
function rationedDecision(rcptSent: boolean): Decision {
  return {
    ...NO_STATUS,
    reply: null,
    command: null,
    evidence: 'not_asked',
    failure: RATIONED,
    notAsked: { host: null, reply: null, command: null, failure: RATIONED, rcptSent },
  };
}

function settlement(stop: SessionEnd & { rcptSent: boolean }, aborted: SmtpFailure | null): Decision {
  const status = stop.kind === 'done' ? NO_STATUS : stop.status;
  const base = { ...status, reply: null, command: null, failure: null, notAsked: null };
  if (aborted) return { ...base, evidence: stop.rcptSent ? 'own' : 'session', command: stop.rcptSent ? 'RCPT TO' : null, failure: aborted };
  switch (stop.kind) {
    case 'done':
      // Only when the batch ran out of connections before reaching the address.
      return { ...base, evidence: 'session', failure: { failure: 'deadline', message: 'the batch used up its connections before asking this address' } };
    case 'refused':
      return { ...base, evidence: 'session', reply: stop.reply, command: stop.command };
    case 'deferred':
    case 'failed': {
      const failure = stop.failure;
      // Before any RCPT: what stopped the session stopped this address too.
      if (!stop.atRcpt) {
        return stop.kind === 'deferred' && stop.reply
          ? { ...base, evidence: 'session', reply: stop.reply, command: stop.command }
          : { ...base, evidence: 'session', failure };
      }
      // Its own RCPT was pipelined and never answered: a timeout or garbage is about its own command.
      if (stop.rcptSent && stop.kind === 'failed') return { ...base, evidence: 'own', command: 'RCPT TO', failure };
      const notAsked: SessionStop = {
        host: status.target?.host ?? null,
        reply: stop.kind === 'deferred' ? stop.reply : null,
        command: stop.kind === 'deferred' ? stop.command : null,
        failure,
        rcptSent: stop.rcptSent,
      };
      return { ...base, evidence: 'not_asked', failure, notAsked };
    }
  }
}
