import { utcTimestamp } from './utc-timestamp';

/**
 * The daemon's log: one line per event on stderr. Tokens never appear in it (only token ids);
 * addresses do only at --verbose, though this is the user's own machine.
 */
export interface Logger {
  info(line: string): void;
  /** Per-request detail, shown with --verbose. */
  debug(line: string): void;
}

export function createLogger(stream: NodeJS.WritableStream = process.stderr, options: { verbose?: boolean } = {}): Logger {
  const write = (line: string): void => {
    stream.write(`${utcTimestamp(Date.now())} ${line}\n`);
  };
  return { info: write, debug: options.verbose ? write : () => {} };
}

export const silentLogger: Logger = { info: () => {}, debug: () => {} };
