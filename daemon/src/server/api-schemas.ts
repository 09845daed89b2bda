import { errorCodeSchema, verificationResultSchema } from '@mailping/shared';
import * as z from 'zod';

/**
 * The HTTP API's bodies, in one place: the handlers validate with these and /openapi.json is
 * generated from these, so the documentation cannot drift from what the daemon accepts.
 */
export const verifyBody = z.union([
  z.object({ address: z.string().min(1).max(320), fresh: z.boolean().optional() }).strict(),
  z.object({ addresses: z.array(z.string().max(320)).min(1), fresh: z.boolean().optional() }).strict(),
]);

export const pairBody = z.object({ code: z.string().max(64), label: z.string().max(64).optional() }).strict();

export const listBody = z.object({ addresses: z.array(z.string().max(320)).min(1), fresh: z.boolean().optional() }).strict();

export const errorBody = z.object({
  error: z.object({
    code: z.union([errorCodeSchema, z.enum(['forbidden', 'not_found'])]),
    message: z.string(),
    retryAfterMs: z.number().int().optional(),
  }),
});

export const answerBody = z.object({ result: verificationResultSchema, cached: z.boolean() });

export const batchAnswerBody = z.object({
  results: z.array(z.union([answerBody, z.object({ address: z.string(), error: errorBody.shape.error })])),
});

export const listStatusBody = z.object({
  id: z.string(),
  total: z.number().int(),
  answered: z.number().int(),
  done: z.boolean(),
  createdAt: z.string(),
});

/** One line of GET /v1/lists/{id}/events (NDJSON). */
export const listEventLine = z.union([
  z.object({
    type: z.literal('answer'),
    seq: z.number().int(),
    index: z.number().int(),
    address: z.string(),
    answer: z.union([answerBody, z.object({ error: z.object({ code: z.string(), message: z.string() }) })]),
  }),
  listStatusBody.extend({ type: z.enum(['progress', 'done']) }),
]);

export const healthBody = z.object({
  status: z.enum(['ok', 'shutting_down']),
  version: z.string(),
  protocolVersion: z.number().int(),
  uptimeSeconds: z.number().int(),
});
