import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import tls from 'node:tls';

/**
 * The built-in TLS certificate and key, read from PEM files and read again without a restart:
 * on SIGHUP (what certbot/acme.sh deploy hooks send) and when either file changes. A pair that
 * does not load (half-written, key of another certificate) is logged and the old one kept.
 */
export interface TlsFiles {
  cert: string;
  key: string;
}

export type TlsLoad = { ok: true; cert: Buffer; key: Buffer } | { ok: false; message: string };

export function loadTlsFiles(files: TlsFiles): TlsLoad {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(files.cert);
    key = readFileSync(files.key);
  } catch (error) {
    return { ok: false, message: `cannot read the TLS files: ${(error as Error).message}` };
  }
  try {
    // Throws on a key that does not belong to the certificate, or on anything that is not PEM.
    tls.createSecureContext({ cert, key });
  } catch (error) {
    return { ok: false, message: `the TLS certificate and key do not load together (${files.cert}, ${files.key}): ${(error as Error).message}` };
  }
  return { ok: true, cert, key };
}

export interface TlsReloader {
  reload(): TlsLoad;
  stop(): void;
}

/** Polling, not fs.watch: renewals replace files by rename or symlink swap, which inotify watches lose. */
export function watchTlsFiles(servers: readonly HttpsServer[], files: TlsFiles, log: (line: string) => void, intervalMs = 2000): TlsReloader {
  const reload = (): TlsLoad => {
    const loaded = loadTlsFiles(files);
    if (!loaded.ok) {
      log(`TLS reload failed, keeping the current certificate: ${loaded.message}`);
      return loaded;
    }
    for (const s of servers) s.setSecureContext({ cert: loaded.cert, key: loaded.key });
    log(`TLS certificate reloaded from ${files.cert}`);
    return loaded;
  };
  const onChange = (current: { mtimeMs: number }, previous: { mtimeMs: number }): void => {
    if (current.mtimeMs !== previous.mtimeMs) reload();
  };
  watchFile(files.cert, { interval: intervalMs, persistent: false }, onChange);
  watchFile(files.key, { interval: intervalMs, persistent: false }, onChange);
  return {
    reload,
    stop() {
      unwatchFile(files.cert, onChange);
      unwatchFile(files.key, onChange);
    },
  };
}
