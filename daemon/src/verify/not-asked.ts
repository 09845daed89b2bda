import type { Reason } from '@mailping/shared';
import type { Classification } from './classify/classify';
import type { FailureCode } from './smtp/failure';
import type { SessionStop } from './smtp/session-types';

const REASONS: Partial<Record<FailureCode, Reason>> = {
  timeout: 'timeout',
  deadline: 'timeout',
  cancelled: 'timeout',
  protocol_error: 'protocol_error',
  tls_failed: 'protocol_error',
};

/**
 * An address the session never got to answer, because the server ended it while another
 * address was being checked. Its result says so in plain words and quotes nothing as its own:
 * the 421 (or the hang-up) answered somebody else.
 */
export function classifyNotAsked(stop: SessionStop): Classification {
  const host = stop.host ?? 'the mail server';
  const failure = stop.failure;
  // Our own budget, not the server, stopped the asking: nothing of the session is quoted.
  if (failure?.failure === 'rationed') return { reason: 'not_verified', detail: `not asked yet: ${failure.message}`, rule: 'not_asked.rationed' };
  let how: string;
  let reason: Reason;
  if (stop.reply) {
    const first = stop.reply.text.split('\n')[0] ?? '';
    const quoted = `${stop.reply.code}${stop.reply.enhanced ? ` ${stop.reply.enhanced}` : ''} ${first}`.trim();
    how = `deferred the session ("${quoted}")`;
    reason = 'temporary_failure';
  } else if (!failure || failure.failure === 'connection_closed' || failure.failure === 'connection_error') {
    how = `hung up${failure ? ` (${failure.message})` : ''}`;
    reason = 'temporary_failure';
  } else {
    how = failure.failure === 'timeout' ? `stopped answering (${failure.message})` : `broke off the session (${failure.message})`;
    reason = REASONS[failure.failure] ?? 'connection_failed';
  }
  const lead = stop.rcptSent ? 'asked, but not answered' : 'not asked yet';
  return { reason, detail: `${lead}: ${host} ${how} while checking another address`, rule: `not_asked.${failure?.failure ?? 'deferred'}` };
}
