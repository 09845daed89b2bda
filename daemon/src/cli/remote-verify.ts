import type { VerificationResult } from '@mailping/shared';
import { commandSettings } from './command-settings';
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_IO, EXIT_NOPERM, EXIT_TEMPFAIL, EXIT_UNAVAILABLE, EXIT_USAGE, exitCodeFor } from './exit-codes';
import { ListOutput, type ListAnswer } from './list-output';
import type { ResultFileFormat } from './result-file-format';
import { createServerClient, HttpStatusError, type ServerClient } from './server-client';
import { parseServerUrl } from './server-url';
import type { VerifyFlags } from './verify-run';

/**
 * `mailping verify --server URL`: the list goes to a MailPing server, which verifies it from a
 * host whose port 25 is open; answers stream back as they come. A dropped connection is resumed
 * from the last answer seen, so every address is answered once; Ctrl-C leaves the list running on
 * the server, and `--list <id>` picks it up again.
 */
export interface RemoteFlags extends VerifyFlags {
  server: string | true;
  list?: string;
  resolve?: string;
}

type Answer = { result: VerificationResult; cached: boolean } | { error: { code: string; message: string } };
interface AnswerEvent {
  type: 'answer';
  seq: number;
  index: number;
  address: string;
  answer: Answer;
}

// Consecutive failed reconnections before giving up (the list goes on on the server).
const MAX_RETRIES = 20;

const say = (line: string): void => void process.stderr.write(`mailping: ${line}\n`);

export async function runRemoteVerify(inputs: string[], flags: RemoteFlags, format: ResultFileFormat | null): Promise<number> {
  const settings = commandSettings(say);
  if (!settings) return EXIT_CONFIG;
  const where = flags.server === true ? settings.client.server : flags.server;
  if (!where) {
    say('--server needs a URL (or set one: mailping connect https://your.server <invite code>)');
    return EXIT_USAGE;
  }
  const url = parseServerUrl(where);
  if (!url.ok) {
    say(url.message);
    return EXIT_USAGE;
  }
  const token = process.env.MAILPING_TOKEN || settings.client.token;
  if (!token) {
    say(`no token for ${url.base.host}: set MAILPING_TOKEN, or run mailping connect ${url.base.origin} <invite code>`);
    return EXIT_USAGE;
  }
  let resolve: { name: string; address: string } | undefined;
  if (flags.resolve) {
    const at = flags.resolve.indexOf(':');
    resolve = { name: flags.resolve.slice(0, at), address: flags.resolve.slice(at + 1) };
  }
  const client = createServerClient(url.base, token, resolve ? { resolve } : {});
  try {
    return await run(client, inputs, flags, format, url.base.host);
  } finally {
    client.close();
  }
}

async function run(client: ServerClient, inputs: string[], flags: RemoteFlags, format: ResultFileFormat | null, host: string): Promise<number> {
  let listId = flags.list;
  let total = inputs.length;
  try {
    if (listId === undefined) {
      const created = await client.json('POST', '/v1/lists', { addresses: inputs, ...(flags.fresh && { fresh: true }) });
      if (created.status !== 201) return refused(created.status, created.body, created.retryAfterMs);
      listId = (created.body as { id: string }).id;
      say(`list ${listId} sent to ${host}: ${total} addresses (if interrupted, resume with --list ${listId})`);
    } else {
      const status = await client.json('GET', `/v1/lists/${encodeURIComponent(listId)}`);
      if (status.status !== 200) return refused(status.status, status.body, status.retryAfterMs);
      total = (status.body as { total: number }).total;
    }
  } catch (error) {
    say(`cannot reach ${host}: ${(error as Error).message}`);
    return EXIT_UNAVAILABLE;
  }

  // Resuming with --list, the addresses are not known here: the column is as wide as it may get.
  const output = await ListOutput.open(flags, format, { total, width: 40, say });
  if (!output) return EXIT_IO;
  const results: Array<VerificationResult | undefined> = new Array(total);
  const seen = new Set<number>();
  const errors: string[] = [];

  // Without a terminal, progress goes to stderr as a line at every tenth of the list.
  let nextReport = Math.ceil(total / 10);
  const onAnswer = (event: AnswerEvent): void => {
    if (seen.has(event.index) || event.index < 0 || event.index >= total) return;
    seen.add(event.index);
    const answer: ListAnswer = 'result' in event.answer ? event.answer : { address: event.address, error: event.answer.error };
    if ('result' in answer) results[event.index] = answer.result;
    else errors.push(`${event.address}: ${answer.error.message}`);
    output.add(event.index, answer);
    if (!output.showsBar && total > 1 && seen.size >= nextReport) {
      say(`progress: ${seen.size}/${total} answered`);
      nextReport += Math.ceil(total / 10);
    }
  };

  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let after = 0;
  let done = false;
  let failures = 0;
  let outcome: number | null = null;
  try {
    while (!done && !interrupted) {
      const before = after;
      try {
        await client.lines(
          `/v1/lists/${encodeURIComponent(listId)}/events?after=${after}`,
          (line) => {
            const message = JSON.parse(line) as { type: string } & Partial<AnswerEvent>;
            if (message.type === 'answer') {
              onAnswer(message as AnswerEvent);
              after = Math.max(after, message.seq!);
            } else if (message.type === 'done') done = true;
          },
          controller.signal,
        );
        if (!done) throw new Error('the stream ended before the list did');
      } catch (error) {
        if (interrupted) break;
        if (error instanceof HttpStatusError) {
          outcome = refused(error.status, error.body);
          break;
        }
        failures = after > before ? 1 : failures + 1;
        if (failures > MAX_RETRIES) {
          say(`lost ${host} (${(error as Error).message}); the list goes on there: resume with --list ${listId}`);
          outcome = EXIT_UNAVAILABLE;
          break;
        }
        say(`connection to ${host} dropped (${(error as Error).message}); resuming after answer ${after} (${seen.size}/${total} so far)`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * failures)));
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    output.close();
  }
  for (const e of errors) say(`error: ${e}`);
  output.reportFile();
  if (outcome !== null) return outcome;
  if (interrupted || seen.size < total) {
    say(`interrupted after ${seen.size} of ${total} addresses; the list goes on on the server: resume with --list ${listId}`);
    return EXIT_INTERRUPTED;
  }
  const answered = results.filter((r): r is VerificationResult => r !== undefined);
  return errors.length > 0 ? 2 : exitCodeFor(answered);
}

function refused(status: number, body: unknown, retryAfterMs?: number): number {
  const message = (body as { error?: { message?: string } } | null)?.error?.message ?? JSON.stringify(body).slice(0, 200);
  say(`the server refused (HTTP ${status}): ${message}${retryAfterMs ? ` (retry in ${Math.ceil(retryAfterMs / 1000)} s)` : ''}`);
  if (status === 401 || status === 403) return EXIT_NOPERM;
  if (status === 429 || status === 503) return EXIT_TEMPFAIL;
  if (status === 413 || status === 400 || status === 404) return EXIT_USAGE;
  return EXIT_UNAVAILABLE;
}
