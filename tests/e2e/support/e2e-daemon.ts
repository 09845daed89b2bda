import { inject } from 'vitest';
import { freePort, makeHome, removeHome, startDaemon, type DaemonProcess } from '../../support/daemon-process';
import { newPairingCode, pairClient } from '../../support/pairing';

/**
 * The real daemon (`mailping serve`) for the browser tests (Chromium's and Firefox's): the lab's DNS server, its own
 * MAILPING_HOME, a free port that stays the same across a stop and a restart (so the extension's
 * settings and token stay valid, as they would for a person restarting the daemon).
 */
export interface E2eDaemon {
  port: number;
  home: string;
  process: DaemonProcess | null;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A one-time code from the real `mailping pair`. */
  pairingCode(): Promise<string>;
  /**
   * A token for the extension's origin (Chrome's pinned id unless told: Firefox's is
   * moz-extension://<uuid>), paired over a WebSocket the way the extension does.
   */
  tokenForExtension(origin?: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function createE2eDaemon(settings: Record<string, unknown> = {}): Promise<E2eDaemon> {
  const port = await freePort();
  const home = await makeHome({
    dnsServers: [inject('lab').dnsServer],
    port,
    timeouts: { totalSeconds: 12, greetingSeconds: 6, connectSeconds: 3, commandSeconds: 6, dnsSeconds: 3 },
    ...settings,
  });
  const daemon: E2eDaemon = {
    port,
    home,
    process: null,
    async start() {
      daemon.process = await startDaemon({ home, port });
    },
    async stop() {
      await daemon.process?.stop();
      daemon.process = null;
    },
    pairingCode: () => newPairingCode(home),
    async tokenForExtension(origin) {
      const { client, token } = await pairClient(port, home, origin);
      client.close();
      return token;
    },
    async dispose() {
      await daemon.stop();
      await removeHome(home);
    },
  };
  return daemon;
}
