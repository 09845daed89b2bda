import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeClientMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ServerMessage,
  type VerificationResult,
} from '@mailping/shared';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * A WebSocket server on loopback that speaks the daemon's protocol (shared/src/protocol.ts) and
 * does exactly what a unit test asks: hold an answer, drop every connection, stop answering
 * pings, refuse a token, come back on the same port. For the background's connection logic
 * only; the end-to-end suite (tests/e2e) runs the real daemon.
 */
export type VerifyScript = (message: Extract<ClientMessage, { type: 'verify' }>, reply: (m: ServerMessage) => void) => void;

export interface ScriptedDaemonOptions {
  port?: number;
  tokens?: string[];
  /** Pairing code → the token it issues. */
  pairingCodes?: Record<string, string>;
  onVerify?: VerifyScript;
  history?: VerificationResult[];
}

export class ScriptedDaemon {
  /** Every frame clients sent, decoded, in order. */
  readonly received: ClientMessage[] = [];
  connections = 0;
  answerPings = true;
  /** Refuse every WebSocket upgrade with HTTP 403, as the daemon does for a foreign Origin. */
  refuseUpgrades = false;
  onVerify: VerifyScript;
  readonly tokens: Set<string>;
  readonly #pairingCodes: Map<string, string>;
  readonly #history: VerificationResult[];
  #server: http.Server | null = null;
  #wss: WebSocketServer | null = null;
  readonly #sockets = new Set<WebSocket>();
  port = 0;

  private constructor(options: ScriptedDaemonOptions) {
    this.tokens = new Set(options.tokens ?? ['good-token']);
    this.#pairingCodes = new Map(Object.entries(options.pairingCodes ?? {}));
    this.onVerify = options.onVerify ?? answerDeliverable;
    this.#history = options.history ?? [];
    this.port = options.port ?? 0;
  }

  static async start(options: ScriptedDaemonOptions = {}): Promise<ScriptedDaemon> {
    const daemon = new ScriptedDaemon(options);
    await daemon.listen();
    return daemon;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  get healthUrl(): string {
    return `http://127.0.0.1:${this.port}/health`;
  }

  /** Verify requests received so far. */
  get verifies(): Extract<ClientMessage, { type: 'verify' }>[] {
    return this.received.filter((m): m is Extract<ClientMessage, { type: 'verify' }> => m.type === 'verify');
  }

  async listen(): Promise<void> {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
    const wss = new WebSocketServer({
      server,
      verifyClient: (_info, done) => (this.refuseUpgrades ? done(false, 403, 'Forbidden') : done(true)),
    });
    wss.on('connection', (socket) => this.#session(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    this.#wss = wss;
  }

  /** Cuts every connection, as a crashing daemon would (no close handshake). */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.terminate();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    const server = this.#server;
    this.#server = null;
    this.#wss?.close();
    this.#wss = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #session(socket: WebSocket): void {
    this.connections += 1;
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    let authenticated = false;
    const send = (m: ServerMessage) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(encodeMessage(m));
    };
    const welcome = () => {
      authenticated = true;
      send({ type: 'welcome', version: PROTOCOL_VERSION, daemon: { version: 'scripted' }, limits: { maxMessageBytes: 16384, maxPending: 200 } });
    };
    socket.on('message', (data) => {
      const decoded = decodeClientMessage(data.toString());
      if (!decoded.ok) return send({ type: 'error', code: decoded.error.code, message: decoded.error.message });
      const message = decoded.message;
      this.received.push(message);
      switch (message.type) {
        case 'ping':
          if (this.answerPings) send({ type: 'pong', ...(message.id !== undefined && { id: message.id }) });
          return;
        case 'hello':
          if (message.version !== PROTOCOL_VERSION) return send({ type: 'error', code: 'version_mismatch', message: 'other version' });
          if (!this.tokens.has(message.token)) return send({ type: 'error', code: 'unauthorized', message: 'this token is not valid here' });
          return welcome();
        case 'pair': {
          const token = this.#pairingCodes.get(message.code);
          if (!token) return send({ type: 'error', code: 'pairing_failed', message: 'this pairing code is wrong, expired or used' });
          this.#pairingCodes.delete(message.code);
          this.tokens.add(token);
          send({ type: 'paired', token });
          return welcome();
        }
      }
      if (!authenticated) return send({ type: 'error', code: 'unauthorized', message: 'send hello first', ...('id' in message && message.id ? { id: message.id } : {}) });
      switch (message.type) {
        case 'verify':
          return this.onVerify(message, send);
        case 'history':
          return send({ type: 'history_result', id: message.id, results: this.#history.slice(0, message.limit ?? 50) });
        case 'cancel':
          return send({ type: 'error', id: message.id, code: 'cancelled', message: 'cancelled' });
      }
    });
  }
}

export function sampleResult(address: string, over: Partial<VerificationResult> = {}): VerificationResult {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  return {
    address,
    normalized: `${local}@${domain}`,
    verdict: 'deliverable',
    reason: 'accepted',
    detail: 'The mail server accepted the recipient.',
    mx: { host: `mx1.${domain}`, ip: '127.0.25.10' },
    reply: { code: 250, enhanced: '2.1.5', text: 'Ok', command: 'RCPT TO' },
    flags: { disposable: false, roleAccount: false, freeProvider: false },
    suggestion: null,
    syntax: { valid: true, local, domain },
    dns: null,
    smtp: null,
    transcript: [],
    timings: { syntaxMs: 0, dnsMs: 1, smtpMs: 3, totalMs: 4 },
    checkedAt: new Date().toISOString(),
    retryAt: null,
    ...over,
  };
}

/** The default script: a progress event, then "deliverable". */
export const answerDeliverable: VerifyScript = (message, reply) => {
  reply({ type: 'progress', id: message.id, address: message.address, stage: 'rcpt' });
  reply({ type: 'result', id: message.id, result: sampleResult(message.address), cached: false });
};

/** "nobody@…" has no mailbox; any other address is deliverable, answered after `delayMs` when given. */
export function nobodyUndeliverable(delayMs?: number): VerifyScript {
  return (message, reply) => {
    if (message.address.startsWith('nobody@')) {
      reply({ type: 'result', id: message.id, result: sampleResult(message.address, { verdict: 'undeliverable', reason: 'mailbox_not_found' }), cached: false });
    } else if (delayMs === undefined) answerDeliverable(message, reply);
    else setTimeout(() => answerDeliverable(message, reply), delayMs);
  };
}

/** Never answers: the request stays in flight. */
export const holdForever: VerifyScript = () => {};
