import http from 'node:http';
import { WebSocket } from 'ws';
import { BackgroundLink } from '@/lib/background-link';
import type { DaemonStatusView } from '@/lib/messages';
import { DaemonClient, type WebSocketLike } from '@/entrypoints/background/daemon-client';
import { PortHub } from '@/entrypoints/background/port-hub';
import { ResultCache } from '@/entrypoints/background/result-cache';
import { pendingChecksItem, resultCacheItem } from '@/entrypoints/background/session-items';
import { VerificationService } from '@/entrypoints/background/verification-service';
import { portPair } from './port-pair';
import { ScriptedDaemon, type VerifyScript } from './scripted-daemon';

/**
 * What a content script talks to, for its tests in happy-dom: a BackgroundLink whose port
 * reaches the background's real service, cache, port hub and daemon client, connected over a
 * real WebSocket to a ScriptedDaemon that answers verify requests with `onVerify`. Call
 * `fakeBrowser.reset()` between tests (the cache lives in the fake session storage).
 */
export interface LinkedBackground {
  daemon: ScriptedDaemon;
  link: BackgroundLink;
  /** Closes the link, the client and the daemon, in that order. */
  stop(): Promise<void>;
}

/** The background probes with fetch (no-cors); happy-dom's fetch is not a browser's, so use Node's HTTP here. */
export function probeOverHttp(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http.get(url, (res) => (res.resume(), resolve(true))).on('error', () => resolve(false));
  });
}

export async function startLinkedBackground(onVerify: VerifyScript): Promise<LinkedBackground> {
  const daemon = await ScriptedDaemon.start({ onVerify });
  try {
    return linkTo(daemon);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
}

function linkTo(daemon: ScriptedDaemon): LinkedBackground {
  const cache = new ResultCache({ load: () => resultCacheItem.getValue(), save: (e) => resultCacheItem.setValue(e) });
  const client: DaemonClient = new DaemonClient({
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    loadConfig: async () => ({ url: daemon.url, healthUrl: daemon.healthUrl, token: 'good-token' }),
    probe: probeOverHttp,
    saveToken: async () => {},
    onStatus: (status) => service.setStatus(status),
    onUpdate: (result) => service.applyUpdate(result),
    clientInfo: { name: 'test', version: '0' },
  });
  const service: VerificationService = new VerificationService({ client, cache, reverifyMs: () => 86_400_000, savePending: (c) => void pendingChecksItem.setValue(c) });
  const view = (): DaemonStatusView => ({ status: client.status, endpoint: 'test', server: null, paired: true, pending: 0 });
  const hub = new PortHub(service, cache.load(), view);
  const link = new BackgroundLink({
    connect: () => {
      const pair = portPair('mailping:checks');
      hub.accept(pair.background);
      client.connect();
      return pair.page;
    },
  });
  return {
    daemon,
    link,
    async stop() {
      link.close();
      client.dispose();
      await daemon.stop();
    },
  };
}
