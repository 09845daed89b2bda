import type { Dialer } from '../verify/smtp/dial';

const REPLY_421 = /(?:^|\n)421[ -]/;

/**
 * A dialer that tells as soon as a server says 421 on a connection, not when the batch is over:
 * the backoff then reaches every worker before this one's engine reconnects. It only listens
 * (a second 'data' listener); the plaintext part of a session is all it can read, and 421s
 * come there (greeting, too many connections, too many errors).
 */
export function watch421(dial: Dialer, on421: (ip: string) => void): Dialer {
  return async (request) => {
    const socket = await dial(request);
    let tail = '';
    const onData = (chunk: Buffer | string): void => {
      // Most chunks hold no "421" at all: found without making a string of the chunk. A code
      // split across two chunks is caught through the previous chunk's tail.
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      const edge = tail + bytes.toString('latin1', 0, 3);
      if (bytes.indexOf('421') === -1 && !edge.includes('421')) {
        tail = bytes.toString('latin1', Math.max(0, bytes.length - 8));
        return;
      }
      const text = tail + bytes.toString('latin1');
      tail = text.slice(-8);
      if (REPLY_421.test(text)) {
        socket.off('data', onData);
        on421(request.ip);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => socket.off('data', onData));
    return socket;
  };
}
