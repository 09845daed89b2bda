/**
 * Whether anything answers HTTP at the daemon's address. A browser gives a WebSocket that was
 * refused (HTTP 403: wrong origin) the same bare error as one nobody answered, so this is how
 * "the daemon refused this browser" is told from "the daemon is not running". A no-cors request
 * needs no host permission: its response is opaque, but it only resolves if a server answered.
 */
export async function probeHealth(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    await fetch(url, { mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}
