import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { VerificationResult } from '@mailping/shared';
import { stringify } from 'csv-stringify/sync';
import type { ResultFileFormat } from './result-file-format';

export const CSV_COLUMNS = [
  'address',
  'normalized',
  'verdict',
  'reason',
  'detail',
  'mx',
  'reply_code',
  'enhanced',
  'reply_text',
  'suggestion',
  'disposable',
  'role',
  'free',
  'checked_at',
] as const;

/** One CSV row: the verdict and its evidence, flat. The full result (transcript...) is in NDJSON. */
export function csvRow(result: VerificationResult): string[] {
  return [
    result.address,
    result.normalized ?? '',
    result.verdict,
    result.reason,
    result.detail,
    result.mx?.host ?? '',
    result.reply ? String(result.reply.code) : '',
    result.reply?.enhanced ?? '',
    result.reply?.text.replace(/\s*\n\s*/g, ' ') ?? '',
    result.suggestion ?? '',
    String(result.flags.disposable),
    String(result.flags.roleAccount),
    String(result.flags.freeProvider),
    result.checkedAt,
  ].map(neutralizeFormula);
}

/**
 * Spreadsheets run a cell that starts with = + - @ as a formula, and reply texts come from
 * whatever server an address points at: such cells get a leading apostrophe (OWASP's advice for
 * CSV injection). Addresses starting with + or - are legal but rare enough to pay that price.
 */
function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * Results written to a file as they come, one synchronous write per row: a row written is in the
 * operating system's hands, so an interrupted or killed run leaves a valid partial file.
 */
export class ResultFile {
  private constructor(
    private readonly fd: number,
    private readonly format: ResultFileFormat,
  ) {}

  static open(path: string, format: ResultFileFormat): ResultFile {
    const file = new ResultFile(openSync(path, 'w'), format);
    if (format === 'csv') file.writeText(stringify([[...CSV_COLUMNS]]));
    return file;
  }

  write(result: VerificationResult): void {
    this.writeText(this.format === 'csv' ? stringify([csvRow(result)]) : `${JSON.stringify(result)}\n`);
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  private writeText(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
  }
}
