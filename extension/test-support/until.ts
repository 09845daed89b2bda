import http from 'node:http';

/** Waits `ms` of real time (the tests talk to real sockets). */
export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` every 10 ms; throws when it is not reached within `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await wait(10);
  }
}

/**
 * Whether anything answers HTTP at `url`. The background probes with fetch (no-cors); happy-dom's
 * fetch is not a browser's, so tests hand it Node's HTTP instead.
 */
export function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, (res) => {
      res.resume();
      resolve(true);
    });
    request.on('error', () => resolve(false));
    request.setTimeout(500, () => request.destroy());
  });
}
