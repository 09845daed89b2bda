import { readdirSync, readFileSync } from 'node:fs';
import { acceptsConnections, makeHome, removeHome, startDaemon, type DaemonProcess } from './daemon-process';
import { pairClient } from './pairing';
import type { TestClient } from './ws-test-client';

/**
 * The real daemon (`mailping serve`) in a fresh MAILPING_HOME with one paired WebSocket client,
 * plus what the robustness suite and the benchmarks watch from outside: its resident memory
 * and its open file descriptors.
 */
export interface PairedDaemon {
  daemon: DaemonProcess;
  client: TestClient;
  home: string;
  token: string;
  rssKb(): number;
  openFds(): number;
  /** Closes the client, stops the daemon (SIGTERM, then SIGKILL after the grace) and removes the home. */
  stop(): Promise<void>;
}

export interface PairedDaemonOptions {
  /** The label the client pairs with (the daemon's token list shows it). */
  label: string;
  /** How long stop() waits after SIGTERM before SIGKILL (DaemonProcess.stop's 15 s when not given). */
  stopGraceMs?: number;
  /** Extra environment for the daemon (e.g. MAILPING_TRACE for a bench's timing trace). */
  env?: NodeJS.ProcessEnv;
}

export async function startPairedDaemon(settings: Record<string, unknown>, options: PairedDaemonOptions): Promise<PairedDaemon> {
  const home = await makeHome(settings);
  let daemon: DaemonProcess | null = null;
  try {
    // Started as the extension finds it: no HTTP request before the WebSocket (see acceptsConnections).
    daemon = await startDaemon({ home, ready: acceptsConnections, ...(options.env && { env: options.env }) });
    const { client, token } = await pairClient(daemon.port, home, undefined, options.label);
    const d = daemon;
    return {
      daemon: d,
      client,
      home,
      token,
      rssKb: () => rssKb(d.pid),
      openFds: () => openFds(d.pid),
      async stop() {
        client.close();
        await d.stop('SIGTERM', options.stopGraceMs);
        await removeHome(home);
      },
    };
  } catch (error) {
    await daemon?.stop('SIGKILL');
    await removeHome(home);
    throw error;
  }
}

export function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

/** Sockets, the database, pipes: everything the process holds open. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
