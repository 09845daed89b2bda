import type { TranscriptEntry } from '@mailping/shared';
import type { TranscriptDirection, TranscriptSink } from './connection';

export const PROBE_TAG = '\u0000probe';

interface Recorded extends TranscriptEntry {
  tag?: string;
  connection: number;
}

/**
 * Records the lines of every connection of a batch once, and hands each recipient the lines that
 * concern it: the shared ones (connect, greeting, EHLO, MAIL) of the connections it took part in,
 * its own RCPT, and the catch-all probe — not the RCPTs of the other addresses.
 */
export class TranscriptRecorder {
  private readonly entries: Recorded[] = [];
  private connections = 0;

  constructor(private readonly startedAt: number) {}

  /** A sink for a new connection attempt, with the id that recipients record their part by. */
  open(): { id: number; sink: TranscriptSink } {
    const id = ++this.connections;
    const sink: TranscriptSink = (dir: TranscriptDirection, line: string, tag?: string) => {
      const t = Math.round((performance.now() - this.startedAt) * 10) / 10;
      this.entries.push({ t, dir, line, connection: id, ...(tag === undefined ? {} : { tag }) });
    };
    return { id, sink };
  }

  forRecipient(address: string, connections: ReadonlySet<number>): TranscriptEntry[] {
    return this.entries
      .filter((e) => connections.has(e.connection) && (e.tag === undefined || e.tag === address || e.tag === PROBE_TAG))
      .map(({ t, dir, line }) => ({ t, dir, line }));
  }
}
