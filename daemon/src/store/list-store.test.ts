import { describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { createListStore } from './list-store';

const error = (code: string) => ({ error: { code, message: code } });

describe('list store', () => {
  it('numbers answers in arrival order, once each, and replays everything after a sequence number', () => {
    const db = openDatabase(':memory:');
    const lists = createListStore(db);
    const list = lists.create('tok', ['a@x.test', 'b@x.test', 'c@x.test'], false, 1000);
    expect(lists.running('tok')).toBe(1);
    expect(lists.answer(list.id, 2, error('one'))).toMatchObject({ seq: 1, index: 2, address: 'c@x.test' });
    expect(lists.answer(list.id, 2, error('again'))).toBeNull();
    expect(lists.answer(list.id, 0, error('two'))).toMatchObject({ seq: 2, index: 0 });
    expect(lists.pending(list.id)).toEqual([{ index: 1, address: 'b@x.test' }]);
    expect(lists.events(list.id, 1, 100).map((e) => e.index)).toEqual([0]);
    expect(lists.events(list.id, 0, 100).map((e) => e.answer)).toEqual([error('one'), error('two')]);
    expect(lists.get(list.id)).toMatchObject({ answered: 2, total: 3, finishedAt: null });
    lists.finish(list.id, 2000);
    expect(lists.running('tok')).toBe(0);
    expect(lists.unfinished()).toEqual([]);
    db.close();
  });
});
