import { describeReason, type ProgressStage, type VerificationResult, type Verdict } from '@mailping/shared';
import type { CheckState, DaemonStatus } from './messages';

/**
 * Everything MailPing says to a person, in plain words, in one place: the badge, the toast, the
 * popup and the toolbar read from here so the same state is never described two ways.
 */

export const VERDICT_WORDS: Record<Verdict, { title: string; meaning: string }> = {
  deliverable: { title: 'Deliverable', meaning: 'The mail server confirmed that this mailbox exists.' },
  undeliverable: { title: 'Undeliverable', meaning: 'Mail to this address would bounce.' },
  risky: { title: 'Risky', meaning: 'Mail may arrive, but the server could not confirm this mailbox.' },
  unknown: { title: 'Unknown', meaning: 'MailPing could not get a clear answer this time.' },
};

/**
 * `server`: the server addresses go to when the daemon is not on this machine (null or absent:
 * a local daemon). A server is reached without a health probe, so its refusal and its outage read
 * the same, and its codes come from its administrator, not from `mailping pair`.
 */
export function statusWords(status: DaemonStatus, endpoint = 'the configured address', server: string | null = null): { title: string; advice: string } {
  if (server !== null) {
    const words = serverWords(status, server);
    if (words) return words;
  }
  switch (status.kind) {
    case 'connecting':
      return { title: 'Connecting to the MailPing daemon…', advice: `Trying ${endpoint}.` };
    case 'connected':
      return { title: 'Connected', advice: `MailPing daemon ${status.daemonVersion} at ${endpoint}.` };
    case 'not_running':
      return {
        title: 'The MailPing daemon is not running',
        advice: `Nothing answers at ${endpoint}. Start it with \`mailping serve\`; waiting checks finish by themselves once it runs.`,
      };
    case 'refused':
      return {
        title: 'The daemon refused this browser',
        advice: `Something answers at ${endpoint} but refused the connection. Check the port in MailPing's options; for a self-built extension, add its id to allowedExtensions in the daemon's config.`,
      };
    case 'not_paired':
      return {
        title: 'This browser is not paired',
        advice: 'Run `mailping pair` in a terminal and enter the code it prints in MailPing\u2019s options.',
      };
    case 'unauthorized':
      return {
        title: 'The pairing is no longer valid',
        advice: 'The daemon refused this browser\u2019s token (revoked, or issued by another daemon). Run `mailping pair` and enter the new code in the options.',
      };
    case 'incompatible':
      return { title: 'The extension and the daemon do not match', advice: `${status.message}` };
  }
}

function serverWords(status: DaemonStatus, server: string): { title: string; advice: string } | null {
  switch (status.kind) {
    case 'connecting':
      return { title: `Connecting to ${server}…`, advice: `Addresses are verified by ${server}.` };
    case 'connected':
      return { title: 'Connected', advice: `Addresses are verified by ${server} (MailPing ${status.daemonVersion}).` };
    case 'not_running':
    case 'refused':
      return {
        title: `Cannot reach ${server}`,
        advice: `No connection to the MailPing server at ${server}. Check the server URL in MailPing\u2019s options and your network; a server whose certificate this browser does not trust, or that refuses this browser, looks the same. Waiting checks finish by themselves once it answers.`,
      };
    case 'not_paired':
      return {
        title: 'This browser is not paired',
        advice: `Enter the invite code from ${server}\u2019s administrator (\`mailping invite <name>\` on the server) in MailPing\u2019s options.`,
      };
    case 'unauthorized':
      return {
        title: 'The pairing is no longer valid',
        advice: `${server} refused this browser\u2019s token (revoked, or issued by another server). Ask its administrator for a new invite and enter it in the options.`,
      };
    case 'incompatible':
      return null;
  }
}

/** A word or two for the popup's status pill. */
export function statusLabel(status: DaemonStatus): string {
  switch (status.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'not_running':
      return 'Daemon not running';
    case 'refused':
      return 'Refused';
    case 'not_paired':
      return 'Not paired';
    case 'unauthorized':
      return 'Pairing revoked';
    case 'incompatible':
      return 'Version mismatch';
  }
}

export function stageWords(stage: ProgressStage | null): string {
  switch (stage) {
    case null:
    case 'queued':
      return 'Waiting for its turn…';
    case 'dns':
      return 'Looking up the mail servers…';
    case 'connect':
      return 'Connecting to the mail server…';
    case 'ehlo':
      return 'Greeting the mail server…';
    case 'rcpt':
      return 'Asking about the mailbox…';
  }
}

/** One short line for a state: the toolbar's title, a list row. */
export function checkHeadline(state: CheckState): string {
  switch (state.kind) {
    case 'checking':
      return `Checking: ${stageWords(state.stage).replace(/…$/, '')}`;
    case 'waiting':
      return statusWords(state.status).title;
    case 'failed':
      return `Not checked: ${state.message}`;
    case 'done':
      return `${VERDICT_WORDS[state.result.verdict].title}: ${describeReason(state.result.reason)}`;
  }
}

/** The reply that decided, as the server wrote it, with the server's name. */
export function decidingReply(result: VerificationResult): string | null {
  const reply = result.reply;
  if (!reply) return null;
  let text = reply.text.split('\n').join(' ');
  // Some parsers keep the enhanced code at the start of the text; print it once.
  if (reply.enhanced && text.startsWith(reply.enhanced)) text = text.slice(reply.enhanced.length).trim();
  const code = reply.enhanced ? `${reply.code} ${reply.enhanced}` : String(reply.code);
  const server = result.mx?.host ? ` (${result.mx.host})` : '';
  return `${code} ${text}${server}`;
}

/** "x@gmial.com" → "x@gmail.com" when the daemon or the local check has a suggestion. */
export function suggestionText(suggestion: string): string {
  return `Did you mean ${suggestion}?`;
}
