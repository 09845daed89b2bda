import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientMessage, decodeServerMessage, encodeMessage, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from './protocol';

describe('protocol decoding', () => {
  it('round-trips every client message type', () => {
    const messages = [
      { type: 'hello', version: PROTOCOL_VERSION, token: 't'.repeat(43), client: { name: 'chrome', version: '0.1.0' } },
      { type: 'pair', version: PROTOCOL_VERSION, code: 'ABCD-1234' },
      { type: 'verify', id: 'r1', address: 'alice@valid.test', fresh: true },
      { type: 'cancel', id: 'r1' },
      { type: 'history', id: 'h1', limit: 20 },
      { type: 'ping' },
    ] as const;
    for (const m of messages) expect(decodeClientMessage(encodeMessage(m))).toEqual({ ok: true, message: m });
  });

  it.each([
    ['not json', 'bad_message'],
    ['[1,2]', 'bad_message'],
    ['null', 'bad_message'],
    ['{"type":"launch_missiles"}', 'unknown_type'],
    ['{"id":"x"}', 'unknown_type'],
    ['{"type":"verify","id":"r1"}', 'bad_message'],
    ['{"type":"verify","id":"","address":"a@b.c"}', 'bad_message'],
    [`{"type":"verify","id":"r1","address":"${'a'.repeat(400)}@b.c"}`, 'bad_message'],
  ])('refuses %s with %s', (raw, code) => {
    const decoded = decodeClientMessage(raw);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.code).toBe(code);
  });

  it('echoes the request id in errors so the client knows which request failed', () => {
    const decoded = decodeClientMessage('{"type":"verify","id":"req-7","address":42}');
    expect(decoded).toMatchObject({ ok: false, error: { code: 'bad_message', id: 'req-7' } });
    if (!decoded.ok) expect(decoded.error.message).toMatch(/address/);
  });

  it('refuses oversized frames before parsing them', () => {
    const decoded = decodeClientMessage(`{"type":"ping","pad":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}`);
    expect(decoded).toMatchObject({ ok: false, error: { code: 'too_large' } });
  });

  it('decodes daemon errors on the extension side', () => {
    expect(decodeServerMessage('{"type":"error","code":"rate_limited","message":"slow down","retryAfterMs":500}')).toMatchObject({ ok: true });
    expect(decodeServerMessage('{"type":"error","code":"nope","message":"x"}').ok).toBe(false);
  });

  it('never throws and always answers with a typed error or a message (property)', () => {
    const json = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ type: fc.constantFrom('hello', 'pair', 'verify', 'cancel', 'history', 'ping', 'x'), id: fc.anything(), address: fc.anything(), token: fc.anything() }).map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(json, (raw) => {
        const d = decodeClientMessage(raw);
        if (d.ok) return typeof d.message.type === 'string';
        return typeof d.error.code === 'string' && typeof d.error.message === 'string';
      }),
      { numRuns: 3000 },
    );
  });
});
