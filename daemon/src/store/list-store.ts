import { randomBytes } from 'node:crypto';
import type { VerificationResult } from '@mailping/shared';
import type { Db } from './database';

/**
 * Lists submitted over the HTTP API, in the lists and list_items tables: each address once, with
 * its answer once answered. `seq` numbers answers in the order they came, so a client that lost
 * its connection asks for "everything after N" and gets each answer exactly once.
 */
export type ListAnswer =
  | { result: VerificationResult; cached: boolean }
  | { error: { code: string; message: string } };

export interface ListEvent {
  seq: number;
  index: number;
  address: string;
  answer: ListAnswer;
}

export interface ListRow {
  id: string;
  tokenId: string;
  total: number;
  answered: number;
  fresh: boolean;
  createdAt: number;
  finishedAt: number | null;
}

interface Row {
  id: string;
  token_id: string;
  total: number;
  answered: number;
  fresh: number;
  created_at: number;
  finished_at: number | null;
}

const toList = (r: Row): ListRow => ({
  id: r.id,
  tokenId: r.token_id,
  total: r.total,
  answered: r.answered,
  fresh: r.fresh === 1,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export interface ListStore {
  create(tokenId: string, addresses: readonly string[], fresh: boolean, now: number): ListRow;
  get(id: string): ListRow | null;
  /** Lists of a token still running. */
  running(tokenId: string): number;
  unfinished(): ListRow[];
  /** Addresses not answered yet, in input order. */
  pending(id: string): Array<{ index: number; address: string }>;
  /** Records an answer once; false when the item was already answered. */
  answer(id: string, index: number, answer: ListAnswer): ListEvent | null;
  finish(id: string, now: number): void;
  events(id: string, after: number, limit: number): ListEvent[];
}

export function createListStore(db: Db): ListStore {
  const insertList = db.prepare('INSERT INTO lists (id, token_id, total, fresh, created_at) VALUES (?, ?, ?, ?, ?)');
  const insertItem = db.prepare('INSERT INTO list_items (list_id, idx, address) VALUES (?, ?, ?)');
  const one = db.prepare<[string], Row>('SELECT * FROM lists WHERE id = ?');
  const running = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM lists WHERE token_id = ? AND finished_at IS NULL');
  const unfinished = db.prepare<[], Row>('SELECT * FROM lists WHERE finished_at IS NULL ORDER BY created_at');
  const pending = db.prepare<[string], { idx: number; address: string }>('SELECT idx, address FROM list_items WHERE list_id = ? AND seq IS NULL ORDER BY idx');
  const bump = db.prepare<[string], { answered: number }>('UPDATE lists SET answered = answered + 1 WHERE id = ? RETURNING answered');
  const setAnswer = db.prepare('UPDATE list_items SET seq = ?, answer = ? WHERE list_id = ? AND idx = ? AND seq IS NULL');
  const address = db.prepare<[string, number], { address: string }>('SELECT address FROM list_items WHERE list_id = ? AND idx = ?');
  const finish = db.prepare('UPDATE lists SET finished_at = ? WHERE id = ? AND finished_at IS NULL');
  const events = db.prepare<[string, number, number], { seq: number; idx: number; address: string; answer: string }>(
    'SELECT seq, idx, address, answer FROM list_items WHERE list_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  // Finished lists are kept a week for late readers, then swept when a new list is made.
  const sweep = db.prepare('DELETE FROM lists WHERE finished_at IS NOT NULL AND finished_at < ?');

  const answerTx = db.transaction((id: string, index: number, answer: ListAnswer): ListEvent | null => {
    const item = address.get(id, index);
    if (!item) return null;
    const { answered } = bump.get(id)!;
    if (setAnswer.run(answered, JSON.stringify(answer), id, index).changes === 0) {
      // Already answered: undo the count, nothing happened.
      db.prepare('UPDATE lists SET answered = answered - 1 WHERE id = ?').run(id);
      return null;
    }
    return { seq: answered, index, address: item.address, answer };
  });

  return {
    create(tokenId, addresses, fresh, now) {
      const id = randomBytes(8).toString('hex');
      db.transaction(() => {
        sweep.run(now - 7 * 24 * 60 * 60_000);
        insertList.run(id, tokenId, addresses.length, fresh ? 1 : 0, now);
        addresses.forEach((a, i) => insertItem.run(id, i, a));
      }).immediate();
      return { id, tokenId, total: addresses.length, answered: 0, fresh, createdAt: now, finishedAt: null };
    },
    get: (id) => {
      const row = one.get(id);
      return row ? toList(row) : null;
    },
    running: (tokenId) => running.get(tokenId)!.n,
    unfinished: () => unfinished.all().map(toList),
    pending: (id) => pending.all(id).map((r) => ({ index: r.idx, address: r.address })),
    answer: (id, index, answer) => answerTx.immediate(id, index, answer),
    finish: (id, now) => void finish.run(now, id),
    events: (id, after, limit) =>
      events.all(id, after, limit).map((r) => ({ seq: r.seq, index: r.idx, address: r.address, answer: JSON.parse(r.answer) as ListAnswer })),
  };
}
