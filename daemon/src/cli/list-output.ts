import type { Verdict, VerificationResult } from '@mailping/shared';
import { formatResult } from './format-human';
import { OrderedEmitter } from './ordered-emitter';
import type { ResultFile } from './result-file';
import type { ResultFileFormat } from './result-file-format';
import type { VerifyProgress } from './verify-progress';

/** The flags of `mailping verify` that say where answers go. */
export interface ListOutputFlags {
  json?: boolean;
  verbose?: boolean;
  progress: boolean;
  out?: string;
}

/** One address's answer: a result, or (from a MailPing server) an error in its place. */
export type ListAnswer = { result: VerificationResult; cached: boolean } | { address: string; error: { code: string; message: string } };

export interface ListOutputOptions {
  /** How many answers the run expects (the progress bar's length). */
  total: number;
  /** The address column's width in human output (see columnWidth). */
  width: number;
  /** Where a line for the user goes (stderr, "mailping: " first). */
  say: (line: string) => void;
}

/** The address column fits the longest input, up to 40 characters. */
export function columnWidth(inputs: readonly string[]): number {
  return Math.min(40, Math.max(...inputs.map((a) => a.trim().length)));
}

/**
 * Where a list's answers go, the same whichever way the list runs (here, on a MailPing server, on
 * a shared queue): stdout in input order (one line each, or NDJSON with --json), the --out file in
 * input order, the progress bar on a terminal, and the file's closing summary. Answers may arrive
 * in any order. The CSV writer and the progress bar load only when a run needs them: most runs
 * are a few addresses.
 */
export class ListOutput {
  private readonly written: Record<Verdict, number> = { deliverable: 0, undeliverable: 0, risky: 0, unknown: 0 };
  private readonly stdout: OrderedEmitter<ListAnswer> | null;
  private readonly toFile: OrderedEmitter<ListAnswer> | null;
  private closed = false;

  private constructor(
    private readonly flags: ListOutputFlags,
    private readonly options: ListOutputOptions,
    private readonly file: ResultFile | null,
    private readonly bar: VerifyProgress | null,
  ) {
    this.stdout = file === null || flags.json === true ? new OrderedEmitter((answer) => this.print(answer)) : null;
    this.toFile = file
      ? new OrderedEmitter((answer) => {
          if (!('result' in answer)) return;
          file.write(answer.result);
          this.written[answer.result.verdict]++;
        })
      : null;
  }

  /** Opens the --out file (null, after saying why, when it cannot be written) and shows the bar. */
  static async open(flags: ListOutputFlags, format: ResultFileFormat | null, options: ListOutputOptions): Promise<ListOutput | null> {
    let file: ResultFile | null = null;
    if (flags.out !== undefined && format) {
      try {
        const { ResultFile } = await import('./result-file');
        file = ResultFile.open(flags.out, format);
      } catch (error) {
        options.say(`cannot write ${flags.out}: ${(error as Error).message}`);
        return null;
      }
    }
    const bar = flags.progress && process.stderr.isTTY && options.total > 1 ? new (await import('./verify-progress')).VerifyProgress(options.total) : null;
    return new ListOutput(flags, options, file, bar);
  }

  /** Whether a progress bar shows (on a terminal); without one, callers may report progress in lines. */
  get showsBar(): boolean {
    return this.bar !== null;
  }

  /** The answer for the address at `index` of the list; each index once. */
  add(index: number, answer: ListAnswer): void {
    if ('result' in answer) this.bar?.count(answer.result.verdict, answer.cached);
    this.stdout?.add(index, answer);
    this.toFile?.add(index, answer);
  }

  /** Which hosts the run waits for before asking again (null: none). */
  waiting(summary: string | null): void {
    if (this.bar) this.bar.waiting(summary);
    else if (summary) this.options.say(`waiting to ask again: ${summary}`);
  }

  /** Stops the bar and closes the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.bar?.stop();
    this.file?.close();
  }

  /** With --out: says how many results the file got, by verdict. */
  reportFile(): void {
    if (!this.toFile) return;
    const counts = (Object.keys(this.written) as Verdict[]).map((v) => `${this.written[v]} ${v}`).join(', ');
    this.options.say(`${this.toFile.emitted} results written to ${this.flags.out} (${counts})`);
  }

  private print(answer: ListAnswer): void {
    const { json, verbose } = this.flags;
    const text =
      'result' in answer
        ? json
          ? JSON.stringify(answer.result)
          : formatResult(answer.result, { verbose: Boolean(verbose), width: this.options.width })
        : json
          ? JSON.stringify({ address: answer.address, error: answer.error })
          : `${answer.address}  error: ${answer.error.message}`;
    if (this.bar && process.stdout.isTTY) this.bar.log(text);
    else process.stdout.write(`${text}\n`);
  }
}
