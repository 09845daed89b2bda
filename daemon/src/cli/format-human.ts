import { describeReason, type TranscriptEntry, type VerificationResult, type Verdict } from '@mailping/shared';
import pc from 'picocolors';

const STYLE: Record<Verdict, { mark: string; color: (s: string) => string }> = {
  deliverable: { mark: '✔', color: pc.green },
  undeliverable: { mark: '✘', color: pc.red },
  risky: { mark: '!', color: pc.yellow },
  unknown: { mark: '?', color: pc.magenta },
};

/** One line per address: mark, address, verdict, reason in plain words, and the deciding reply. */
export function formatResult(result: VerificationResult, options: { verbose: boolean; width: number }): string {
  const style = STYLE[result.verdict];
  const address = result.address.padEnd(options.width);
  const verdict = style.color(`${style.mark} ${result.verdict.padEnd(13)}`);
  const lines = [`${verdict} ${pc.bold(address)}  ${describeReason(result.reason)}`];

  const evidence = result.reply
    ? `${result.mx?.host ?? ''}${result.mx?.ip ? ` [${result.mx.ip}]` : ''}: ${result.reply.code}${result.reply.enhanced ? ` ${result.reply.enhanced}` : ''} ${firstLine(result.reply.text)}`
    : result.detail;
  lines.push(pc.dim(`    ${evidence}`));

  const flags = [
    result.flags.disposable && 'disposable',
    result.flags.roleAccount && 'role account',
    result.flags.freeProvider && 'free provider',
    result.smtp?.tls && 'TLS',
  ].filter(Boolean);
  if (flags.length > 0) lines.push(pc.dim(`    ${flags.join(' · ')}`));
  if (result.suggestion) lines.push(pc.cyan(`    did you mean ${result.suggestion}?`));
  if (result.retryAt) lines.push(pc.dim(`    worth retrying after ${new Date(result.retryAt).toLocaleTimeString()}`));
  if (options.verbose && result.transcript.length > 0) lines.push(formatTranscript(result.transcript));
  return lines.join('\n');
}

/** The conversation as a telnet session would show it, with the time of each line. */
export function formatTranscript(transcript: readonly TranscriptEntry[]): string {
  return transcript
    .map((e) => {
      const time = pc.dim(`${e.t.toFixed(1).padStart(8)} ms`);
      const line = e.dir === '>' ? pc.cyan(`> ${e.line}`) : e.dir === '<' ? `< ${e.line}` : pc.dim(`* ${e.line}`);
      return `    ${time}  ${line}`;
    })
    .join('\n');
}

function firstLine(text: string): string {
  const [first = '', ...rest] = text.split('\n');
  return rest.length > 0 ? `${first} …` : first;
}
