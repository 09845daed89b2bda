import type { ParsedAddress, TranscriptEntry } from '@mailping/shared';
import type { Dialer } from './dial';
import type { SmtpFailure } from './failure';
import type { Reply } from './reply-parser';
import { SessionWorker } from './session-worker';
import { TranscriptRecorder } from './transcript';

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

export interface SessionContext {
  signal: AbortSignal;
  startedAt: number;
  onPhase?: (addresses: string[], phase: SmtpPhase) => void;
}

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

export type Decision = Omit<RecipientOutcome, 'roundTrips' | 'transcript'>;

/**
 * What the sessions of one domain share: the addresses nobody has asked yet (each session takes
 * the next chunk when it has room, so parallel sessions stay busy until the list is done), the
 * answers, the catch-all probe (asked once), and the transcript of every connection.
 */
export class DomainRun {
  readonly queue: ParsedAddress[];
  readonly decided = new Map<string, Decision>();
  readonly involvement = new Map<string, Set<number>>();
  readonly roundTrips = new Map<number, number>();
  readonly transcript: TranscriptRecorder;
  readonly needsSmtputf8: boolean;
  readonly probe: { claimed: boolean; catchAll: boolean | null; reply: Reply | null };
  readonly maxConnections: number;
  connections = 0;
  active = 0;

  constructor(recipients: ParsedAddress[], options: SessionOptions, startedAt: number, workers: number) {
    this.queue = [...recipients];
    this.transcript = new TranscriptRecorder(startedAt);
    this.needsSmtputf8 = recipients.some((r) => r.smtputf8);
    this.probe = { claimed: !options.probeCatchAll, catchAll: null, reply: null };
    // Enough sessions for the error budget, plus a reconnect or two each; never an endless loop.
    this.maxConnections = 2 * workers + Math.ceil(recipients.length / Math.max(1, options.errorBudget - 1));
    for (const r of recipients) this.involvement.set(r.normalized, new Set());
  }

  decide(address: string, decision: Decision): void {
    if (!this.decided.has(address)) this.decided.set(address, decision);
  }

  outcome(): BatchOutcome {
    const recipients = new Map<string, RecipientOutcome>();
    for (const [address, decision] of this.decided) {
      const involved = this.involvement.get(address) ?? new Set<number>();
      let roundTrips = 0;
      for (const id of involved) roundTrips += this.roundTrips.get(id) ?? 0;
      recipients.set(address, { ...decision, roundTrips, transcript: this.transcript.forRecipient(address, involved) });
    }
    return { recipients, catchAll: this.probe.catchAll, probeReply: this.probe.reply, connections: this.connections };
  }
}

/**
 * One domain's recipients over as few connections as the server's limits allow, on up to
 * `sessions` connections side by side: best MX first, the next on connection failure; EHLO
 * (HELO if refused), STARTTLS when needed, MAIL once, then RCPTs — pipelined when offered — in
 * chunks no larger than the errors the server will tolerate, reconnecting when it says 421 or
 * hangs up. Never DATA; always QUIT.
 */
export async function runSmtpBatch(
  targets: MxTarget[],
  recipients: ParsedAddress[],
  options: SessionOptions,
  context: SessionContext,
  sessions = 1,
): Promise<BatchOutcome> {
  const workers = Math.max(1, Math.min(sessions, recipients.length));
  const run = new DomainRun(recipients, options, context.startedAt, workers);
  run.active = workers;
  await Promise.all(Array.from({ length: workers }, () => new SessionWorker(run, targets, options, context).work()));
  return run.outcome();
}
