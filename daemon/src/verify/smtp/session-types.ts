import type { ParsedAddress, TranscriptEntry } from '@mailping/shared';
import type { Dialer } from './dial';
import type { SmtpFailure } from './failure';
import type { Reply } from './reply-parser';

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
  /** How long answers wait for a pipelined QUIT's 221 after the RCPT replies (PROOF_GRACE_MS). */
  proofGraceMs?: number;
  /** Waits for a free connection slot to this IP (politeness); returns its release. */
  acquireSlot?: (ip: string, signal: AbortSignal) => Promise<() => void>;
  /**
   * Takes up to `wanted` RCPT tokens of the domain's budget right before a flight of RCPTs goes
   * out; resolves with how many it got. Fewer than the flight needs: the session asks nothing
   * more and the batch's unasked addresses settle as `rationed`. Absent: no budget (local mode
   * paces whole batches in its scheduler).
   */
  takeRcptTokens?: (domain: string, wanted: number) => Promise<number>;
}

export type SmtpPhase = 'connect' | 'ehlo' | 'rcpt';

export interface SessionContext {
  signal: AbortSignal;
  startedAt: number;
  onPhase?: (addresses: string[], phase: SmtpPhase) => void;
  /** Newcomers for this domain that arrived while the batch runs (see `MoreAddresses`). */
  more?: MoreAddresses;
}

/**
 * Up to `max` addresses of the domain that arrived after the batch started, each one `accepts`;
 * the batch asks them in its running sessions rather than leave them for a batch of their own
 * (a list sent over a WebSocket arrives in several reads).
 */
export type MoreAddresses = (max: number, accepts: (address: ParsedAddress) => boolean) => ParsedAddress[];

/**
 * Whose words a recipient's outcome carries:
 * - `own`: the server's answer to this address's own RCPT (or no answer to it: `failure` says why);
 * - `session`: what stopped the session before this address's RCPT was sent (a greeting, EHLO,
 *   STARTTLS or MAIL reply, or a failure to connect), labelled with the command it answered;
 * - `not_asked`: the session ended while another address was being checked; `notAsked` says how,
 *   and `reply` is null: another address's answer is never this one's evidence.
 */
export type Evidence = 'own' | 'session' | 'not_asked';

/** How a session ended before an address got its answer, in facts rather than transcript text. */
export interface SessionStop {
  host: string | null;
  /** The reply that ended it (a 421), or null when the server hung up, timed out or spoke garbage. */
  reply: Reply | null;
  /** The command that reply answered. */
  command: string | null;
  failure: SmtpFailure | null;
  /** This address's RCPT had been sent (pipelined) when the session ended, without an answer. */
  rcptSent: boolean;
}

/** What the conversation found out about one recipient. */
export interface RecipientOutcome {
  /** Absent in outcomes built by hand (tests): read as `own` for RCPT replies, `session` otherwise. */
  evidence?: Evidence;
  /** The reply that answers for this address: its RCPT's, or (evidence `session`) the session's. */
  reply: Reply | null;
  command: string | null;
  /** Why no reply decided, when none did. */
  failure: SmtpFailure | null;
  /** evidence `not_asked`: how the session ended before this address was answered. */
  notAsked?: SessionStop | null;
  target: MxTarget | null;
  tls: boolean;
  pipelining: boolean;
  roundTrips: number;
  transcript: TranscriptEntry[];
}

/** A server that said "not now" (421) or hung up mid-batch: the rest of the domain waits. */
export interface Deferral {
  host: string;
  ip: string;
  /** The 421 reply, or null when the server just closed the connection. */
  reply: Reply | null;
  command: string | null;
}

export interface BatchOutcome {
  recipients: Map<string, RecipientOutcome>;
  /** true: a random address was accepted; false: refused; null: not asked or no answer. */
  catchAll: boolean | null;
  probeReply: Reply | null;
  connections: number;
  /** The first deferral (421 or hang-up) of the batch, if any. */
  deferral: Deferral | null;
}

export type Decision = Omit<RecipientOutcome, 'roundTrips' | 'transcript' | 'evidence' | 'notAsked'> & {
  evidence: Evidence;
  notAsked: SessionStop | null;
};
