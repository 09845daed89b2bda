import * as z from 'zod';
import { verificationResultSchema } from './result';

/**
 * The WebSocket protocol between the extension (client) and the daemon, defined once and
 * validated at both ends. Every message is a JSON object keyed by `type`; requests carry an `id`
 * chosen by the client, and every answer to a request repeats it. Failures are typed `error`
 * messages, never dropped connections.
 *
 * A session: connect (the daemon checks Origin and Host before upgrading) → `hello` with the
 * token, or `pair` with a one-time code → `welcome` → any number of `verify` / `cancel` /
 * `history` / `ping`; the daemon answers with `progress` events, a `result`, and may push
 * `update`s later (a greylisted address retried in the background).
 */
export const PROTOCOL_VERSION = 1;

/** Client frames larger than this are refused (the daemon's ws `maxPayload`). */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** Daemon frames carry transcripts and history pages: a larger, still bounded, limit. */
export const MAX_SERVER_MESSAGE_BYTES = 4 * 1024 * 1024;


const id = z.string().min(1).max(64);
// RFC 5321 allows 254 octets; some slack for the surrounding whitespace people paste.
const address = z.string().min(1).max(320);

export const PROGRESS_STAGES = ['queued', 'dns', 'connect', 'ehlo', 'rcpt'] as const;
export const progressStageSchema = z.enum(PROGRESS_STAGES);
export type ProgressStage = z.infer<typeof progressStageSchema>;

export const ERROR_CODES = [
  'bad_message',
  'too_large',
  'unknown_type',
  'unauthorized',
  'version_mismatch',
  'pairing_failed',
  'rate_limited',
  'queue_full',
  'invalid_address',
  'cancelled',
  'shutting_down',
  'internal',
] as const;
export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

// ---- client → daemon ------------------------------------------------------------------

export const helloMessage = z.object({
  type: z.literal('hello'),
  version: z.number().int(),
  token: z.string().min(1).max(256),
  client: z.object({ name: z.string().max(64), version: z.string().max(32) }).optional(),
});

export const pairMessage = z.object({
  type: z.literal('pair'),
  version: z.number().int(),
  code: z.string().min(1).max(32),
  /** Shown in `mailping tokens list`, e.g. "Chrome on laptop". */
  label: z.string().max(64).optional(),
});

export const verifyMessage = z.object({
  type: z.literal('verify'),
  id,
  address,
  /** Skip the cache and ask the mail server again. */
  fresh: z.boolean().optional(),
});

export const cancelMessage = z.object({ type: z.literal('cancel'), id });

export const historyMessage = z.object({
  type: z.literal('history'),
  id,
  limit: z.number().int().min(1).max(200).optional(),
  /** Only results with `checkedAt` before this ISO time (paging). */
  before: z.string().max(40).optional(),
});

export const pingMessage = z.object({ type: z.literal('ping'), id: id.optional() });

export const clientMessageSchema = z.discriminatedUnion('type', [
  helloMessage,
  pairMessage,
  verifyMessage,
  cancelMessage,
  historyMessage,
  pingMessage,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type VerifyRequest = z.infer<typeof verifyMessage>;

// ---- daemon → client ------------------------------------------------------------------

export const welcomeMessage = z.object({
  type: z.literal('welcome'),
  version: z.number().int(),
  daemon: z.object({ version: z.string() }),
  limits: z.object({ maxMessageBytes: z.number().int(), maxPending: z.number().int() }),
});

export const pairedMessage = z.object({ type: z.literal('paired'), token: z.string() });

export const progressMessage = z.object({
  type: z.literal('progress'),
  id,
  address: z.string(),
  stage: progressStageSchema,
});

export const resultMessage = z.object({
  type: z.literal('result'),
  id,
  result: verificationResultSchema,
  /** Answered from the daemon's cache, without talking to a mail server. */
  cached: z.boolean(),
});

/** A newer result for an address, pushed without a request (e.g. after a greylisting retry). */
export const updateMessage = z.object({ type: z.literal('update'), result: verificationResultSchema });

export const historyResultMessage = z.object({
  type: z.literal('history_result'),
  id,
  results: z.array(verificationResultSchema),
});

export const errorMessage = z.object({
  type: z.literal('error'),
  /** The request this error answers; absent for errors about the connection or an unreadable frame. */
  id: id.optional(),
  code: errorCodeSchema,
  message: z.string(),
  retryAfterMs: z.number().int().optional(),
});

export const pongMessage = z.object({ type: z.literal('pong'), id: id.optional() });

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeMessage,
  pairedMessage,
  progressMessage,
  resultMessage,
  updateMessage,
  historyResultMessage,
  errorMessage,
  pongMessage,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessage>;

// ---- decoding -------------------------------------------------------------------------

export type Decoded<T> = { ok: true; message: T } | { ok: false; error: { code: ErrorCode; message: string; id?: string } };

function decode<T>(schema: z.ZodType<T>, raw: string, knownTypes: ReadonlySet<string>, maxBytes: number): Decoded<T> {
  if (raw.length > maxBytes) {
    return { ok: false, error: { code: 'too_large', message: `messages are limited to ${maxBytes} bytes` } };
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, error: { code: 'bad_message', message: 'the message is not JSON' } };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, error: { code: 'bad_message', message: 'the message is not a JSON object' } };
  }
  const record = data as Record<string, unknown>;
  // Echo a usable id, so a client can tell which request an error is about.
  const requestId = typeof record.id === 'string' && record.id.length > 0 && record.id.length <= 64 ? record.id : undefined;
  const withId = <E extends { code: ErrorCode; message: string }>(e: E) => (requestId ? { ...e, id: requestId } : e);
  if (typeof record.type !== 'string' || !knownTypes.has(record.type)) {
    return { ok: false, error: withId({ code: 'unknown_type', message: `unknown message type ${JSON.stringify(record.type)}` }) };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: withId({ code: 'bad_message', message: `invalid ${record.type} message${where}: ${issue?.message ?? 'schema mismatch'}` }) };
  }
  return { ok: true, message: parsed.data };
}

const CLIENT_TYPES = new Set(clientMessageSchema.options.map((o) => o.shape.type.value));
const SERVER_TYPES = new Set(serverMessageSchema.options.map((o) => o.shape.type.value));

/** Daemon side: a frame from a client. Never throws. */
export function decodeClientMessage(raw: string): Decoded<ClientMessage> {
  return decode(clientMessageSchema, raw, CLIENT_TYPES, MAX_MESSAGE_BYTES);
}

/** Extension side: a frame from the daemon. Never throws. */
export function decodeServerMessage(raw: string): Decoded<ServerMessage> {
  return decode(serverMessageSchema, raw, SERVER_TYPES, MAX_SERVER_MESSAGE_BYTES);
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
