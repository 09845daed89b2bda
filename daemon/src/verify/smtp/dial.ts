import net from 'node:net';
import { SmtpFailureError, toFailure } from './failure';

export interface DialRequest {
  /** IP address to connect to (already resolved: we never let the OS resolver in). */
  ip: string;
  port: number;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Opens a TCP connection to a mail server. Swappable: direct, or through a SOCKS5 proxy. */
export type Dialer = (request: DialRequest) => Promise<net.Socket>;

export const directDialer: Dialer = (request) => dialFrom(undefined, request);

/** Connections leave from `localAddress` (one of this machine's IPs): each worker its own. */
export function sourceAddressDialer(localAddress: string): Dialer {
  return (request) => dialFrom(localAddress, request);
}

function dialFrom(localAddress: string | undefined, { ip, port, timeoutMs, signal }: DialRequest): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortFailure(signal));
    const socket = net.connect({ host: ip, port, ...(localAddress ? { localAddress } : {}) });
    const timer = setTimeout(() => {
      done();
      socket.destroy();
      reject(new SmtpFailureError('connect_timeout', `no answer from ${ip}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = (): void => {
      done();
      socket.destroy();
      reject(abortFailure(signal));
    };
    const onError = (error: Error): void => {
      done();
      socket.destroy();
      const failure = toFailure(error);
      reject(new SmtpFailureError(failure.failure, `${ip}:${port}: ${failure.message}`));
    };
    const onConnect = (): void => {
      done();
      resolve(socket);
    };
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off('connect', onConnect);
    }
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}

export function abortFailure(signal: AbortSignal): SmtpFailureError {
  return signal.reason instanceof SmtpFailureError
    ? signal.reason
    : new SmtpFailureError('cancelled', 'the verification was cancelled');
}
