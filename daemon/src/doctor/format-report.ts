import pc from 'picocolors';
import type { CheckStatus } from './types';
import type { DoctorReport } from './run-doctor';

const LABEL: Record<CheckStatus, (colors: typeof pc) => string> = {
  ok: (c) => c.green('ok  '),
  warn: (c) => c.yellow('warn'),
  fail: (c) => c.red('fail'),
  skipped: (c) => c.dim('skip'),
};

/** One line per check, then what to do, then a count: made for a terminal and for a bug report. */
export function formatReport(report: DoctorReport, colors: typeof pc = pc): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const lines = report.checks.map((c) => `  ${LABEL[c.status](colors)}  ${c.title.padEnd(width)}  ${c.summary}${colors.dim(` (${c.durationMs} ms)`)}`);
  if (report.advice.length > 0) {
    lines.push('', 'What to do:', ...report.advice.map((a) => `  - ${a}`));
  }
  const count = (s: CheckStatus) => report.checks.filter((c) => c.status === s).length;
  lines.push(
    '',
    `${report.ok ? 'nothing failed' : colors.red('something failed')}: ${count('ok')} ok, ${count('warn')} warning${count('warn') === 1 ? '' : 's'}, ${count('fail')} failed, ${count('skipped')} skipped, in ${report.durationMs < 1000 ? `${report.durationMs} ms` : `${(report.durationMs / 1000).toFixed(1)} s`}`,
  );
  return `${lines.join('\n')}\n`;
}
