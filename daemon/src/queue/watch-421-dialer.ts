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
    let told = false;
    const onData = (chunk: Buffer | string): void => {
      const text = tail + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
      if (!told && REPLY_421.test(text)) {
        told = true;
        on421(request.ip);
      }
      tail = text.slice(-8);
    };
    socket.on('data', onData);
    socket.once('close', () => socket.off('data', onData));
    return socket;
  };
}
