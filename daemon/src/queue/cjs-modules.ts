import { createRequire } from 'node:module';

/**
 * BullMQ and ioredis, loaded through `require`: their CommonJS builds load faster than the ESM
 * ones (one file graph Node resolves without the ESM loader's per-module linking; ~40 ms of a
 * `verify --queue` or `worker` start on the 2-core bench machine), and BullMQ's own `require` of
 * ioredis then gets the very module we use: one ioredis, so BullMQ accepts our connections.
 * Types come from the packages as usual.
 */
const load = createRequire(import.meta.url);

export const bullmq = load('bullmq') as typeof import('bullmq');
export const ioredis = load('ioredis') as typeof import('ioredis');
