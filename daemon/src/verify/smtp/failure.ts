/**
 * Why a conversation ended without the reply we needed: typed values, not thrown strings, so
 * the classifier can map each one to an `unknown` reason and the transcript can say it plainly.
 */
export type FailureCode =
  | 'connection_refused'
  | 'connection_error'
  | 'connection_closed'
  | 'connect_timeout'
  | 'timeout'
  | 'deadline'
  | 'cancelled'
  | 'protocol_error'
  | 'tls_failed'
  | 'tls_unavailable'
  /** Our own RCPT budget for the domain (shared by every worker) ran out before the address was asked. */
  | 'rationed';

export interface SmtpFailure {
  failure: FailureCode;
  message: string;
}

export class SmtpFailureError extends Error implements SmtpFailure {
  override readonly name = 'SmtpFailureError';
  constructor(
    readonly failure: FailureCode,
    message: string,
  ) {
    super(message);
  }
}

export function toFailure(error: unknown): SmtpFailure {
  if (error instanceof SmtpFailureError) return { failure: error.failure, message: error.message };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return { failure: 'connection_refused', message };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { failure: 'connection_closed', message };
  if (code === 'ETIMEDOUT') return { failure: 'connect_timeout', message };
  return { failure: 'connection_error', message };
}
