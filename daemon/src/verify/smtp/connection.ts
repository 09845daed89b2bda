import net from 'node:net';
import tls from 'node:tls';
import { abortFailure, type Dialer } from './dial';
import { SmtpFailureError, toFailure, type SmtpFailure } from './failure';
import { replyMisfit, type Expected } from './reply-fit';
import { isReplyError, ReplyParser, type Reply } from './reply-parser';

export type TranscriptDirection = '>' | '<' | '*';
/** Receives every line sent and received; `tag` names the recipient a RCPT line belongs to. */
export type TranscriptSink = (dir: TranscriptDirection, line: string, tag?: string) => void;

export interface Outgoing {
  line: string;
  tag?: string;
}

/** What a batch of commands got: the replies that came, and why the rest did not. */
export interface Exchange {
  replies: Reply[];
  failure?: SmtpFailure;
}

interface Waiter extends Expected {
  tag?: string;
  resolve: (reply: Reply) => void;
}

/**
 * One SMTP connection: commands are paired with their replies on a queue (so PIPELINING is just
 * writing several commands at once), every phase has its own timeout, and the whole connection
 * dies with the caller's AbortSignal. Socket I/O only: parsing and meaning live elsewhere.
 * Pairing by order is only safe while the order holds: a reply nobody waits for, or one whose
 * shape cannot answer its command, ends the connection with a protocol error, and the replies
 * of the same read are not handed out (one extra reply shifts every later one).
 */
export class SmtpConnection {
  private socket: net.Socket;
  private readonly parser = new ReplyParser();
  private waiters: Waiter[] = [];
  /** The banner, when it came before greeting() was called. */
  private banner: Reply | null = null;
  /** Recipients asked on this connection: a reply naming one of them answers that one. */
  private readonly asked = new Set<string>();
  private failure: SmtpFailure | null = null;
  private onFailure: ((failure: SmtpFailure) => void) | null = null;
  private readonly abortListener: () => void;
  roundTrips = 0;
  tls = false;
  /** QUIT went out pipelined behind the last commands: the goodbye is already said. */
  private quitSent = false;
  /**
   * The pipelined QUIT's 221, awaited apart from the flight it went in: null when it came in
   * step (or the connection ended without proving anything), the protocol error when the reply in
   * its place could not answer QUIT.
   */
  private goodbye: Promise<SmtpFailure | null> | null = null;
  private settleGoodbye: ((outOfStep: SmtpFailure | null) => void) | null = null;

  private constructor(
    socket: net.Socket,
    private readonly log: TranscriptSink,
    private readonly signal: AbortSignal,
  ) {
    this.socket = socket;
    // The server speaks first: its greeting is the one reply expected before any command.
    this.waiters.push({ command: 'greeting', resolve: (reply) => (this.banner = reply) });
    this.attach(socket);
    this.abortListener = () => this.abort(abortFailure(signal));
    signal.addEventListener('abort', this.abortListener, { once: true });
  }

  static async open(
    dial: Dialer,
    target: { ip: string; port: number; host: string },
    options: { connectTimeoutMs: number; signal: AbortSignal; log: TranscriptSink },
  ): Promise<SmtpConnection> {
    options.log('*', `connect ${target.host} [${target.ip}]:${target.port}`);
    const socket = await dial({ ip: target.ip, port: target.port, timeoutMs: options.connectTimeoutMs, signal: options.signal });
    socket.setNoDelay(true);
    return new SmtpConnection(socket, options.log, options.signal);
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  /** The banner: the server speaks first (RFC 5321 §3.1). */
  async greeting(timeoutMs: number): Promise<Exchange> {
    this.roundTrips++;
    if (this.banner) return { replies: [this.banner] };
    if (this.failure) return { replies: [], failure: this.failure };
    return new Promise((resolve) => {
      const waiter = this.waiters[0];
      const timer = setTimeout(() => this.abort(new SmtpFailureError('timeout', `no reply to greeting within ${timeoutMs} ms`)), timeoutMs);
      const finish = (exchange: Exchange): void => {
        clearTimeout(timer);
        this.onFailure = null;
        resolve(exchange);
      };
      this.onFailure = (failure) => finish({ replies: [], failure });
      if (waiter) waiter.resolve = (reply) => finish({ replies: [reply] });
    });
  }

  /**
   * Writes the commands in one go and waits for one reply each, in order (RFC 2920). A QUIT
   * pipelined last is not waited for: its 221 is the goodbye (see `goodbyeWithin`), so the
   * answers before it need not wait for a server that sends it in a later packet.
   */
  async exchange(commands: Outgoing[], timeoutMs: number, phase: string): Promise<Exchange> {
    if (this.failure) return { replies: [], failure: this.failure };
    this.roundTrips++;
    for (const c of commands) {
      this.log('>', c.line, c.tag);
      if (c.line === 'QUIT') this.quitSent = true;
      const expected = expectation(c.line);
      if (expected.command === 'RCPT' && expected.address) this.asked.add(expected.address.toLowerCase());
    }
    this.socket.write(commands.map((c) => `${c.line}\r\n`).join(''));
    return this.await(commands, timeoutMs, phase);
  }

  /**
   * Upgrades to TLS after the server's 220 to STARTTLS (RFC 3207). Anything the server sent in
   * plaintext after that reply is discarded, so it cannot be read as an answer to a later command.
   * Certificates are not verified: MX certificates are often self-signed, and a verifier sends
   * no secrets; the result records that TLS was used, not that it was authenticated.
   */
  async startTls(servername: string, timeoutMs: number): Promise<SmtpFailure | null> {
    if (this.failure) return this.failure;
    this.detach(this.socket);
    this.parser.reset();
    const plain = this.socket;
    this.roundTrips++;
    const result = await new Promise<SmtpFailure | null>((resolve) => {
      const secure = tls.connect({
        socket: plain,
        servername: net.isIP(servername) ? undefined : servername,
        rejectUnauthorized: false,
      });
      const timer = setTimeout(() => finish(new SmtpFailureError('timeout', `TLS handshake took longer than ${timeoutMs} ms`)), timeoutMs);
      const onAbort = (): void => finish(abortFailure(this.signal));
      this.signal.addEventListener('abort', onAbort, { once: true });
      const finish = (failure: SmtpFailure | null): void => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', onAbort);
        secure.off('secureConnect', onSecure);
        secure.off('error', onError);
        if (failure) {
          secure.destroy();
          plain.destroy();
        }
        resolve(failure);
      };
      const onSecure = (): void => {
        this.socket = secure;
        this.attach(secure);
        this.tls = true;
        this.log('*', `TLS ${secure.getProtocol() ?? ''} ${secure.getCipher()?.name ?? ''}`.trim());
        finish(null);
      };
      const onError = (error: Error): void =>
        finish({ failure: 'tls_failed', message: `TLS handshake failed: ${error.message}` });
      secure.once('secureConnect', onSecure);
      secure.once('error', onError);
    });
    if (result) this.fail(result);
    return result;
  }

  /**
   * Says goodbye politely, waiting a little for the 221, then closes whatever happens. Resolves
   * with the protocol error when the goodbye got a reply that cannot answer QUIT: proof that the
   * replies before it were out of step.
   */
  async quit(timeoutMs: number): Promise<SmtpFailure | null> {
    let outOfStep: SmtpFailure | null = null;
    if (this.goodbye) {
      outOfStep = await this.goodbyeWithin(timeoutMs);
    } else if (!this.failure && !this.quitSent) {
      const bye = await this.exchange([{ line: 'QUIT' }], timeoutMs, 'QUIT');
      if (bye.failure?.failure === 'protocol_error') outOfStep = bye.failure;
    }
    this.close();
    return outOfStep;
  }

  /** Whether a QUIT went out pipelined behind other commands (its 221 is awaited apart). */
  get quitPipelined(): boolean {
    return this.goodbye !== null;
  }

  /**
   * The pipelined QUIT's verdict on the replies before it, waiting at most `ms` for it: the
   * protocol error when the reply in its place could not answer QUIT, null when its 221 came in
   * step, when the connection ended, or when it did not come in time (nothing proven either way).
   */
  goodbyeWithin(ms: number): Promise<SmtpFailure | null> {
    if (!this.goodbye) return Promise.resolve(null);
    let timer: NodeJS.Timeout | undefined;
    // Then one turn more: on a busy machine the timer can fire after the 221 arrived but before
    // it was read (timers run before I/O in a turn of the event loop); an immediate runs after.
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => setImmediate(() => resolve(null)), ms)));
    return Promise.race([this.goodbye, late]).finally(() => clearTimeout(timer));
  }

  close(): void {
    if (!this.failure) this.fail({ failure: 'connection_closed', message: 'closed by us' }, true);
    this.socket.destroy();
  }

  private await(commands: Outgoing[], timeoutMs: number, phase: string): Promise<Exchange> {
    // QUIT pipelined behind other commands: its reply is the goodbye, not part of the flight.
    const bye = commands.length > 1 && commands.at(-1)!.line === 'QUIT' ? commands.at(-1)! : null;
    const awaited = bye ? commands.slice(0, -1) : commands;
    return new Promise((resolve) => {
      const replies: Reply[] = [];
      let settled = false;
      const finish = (failure?: SmtpFailure): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.onFailure = null;
        resolve(failure ? { replies, failure } : { replies });
      };
      const timer = setTimeout(() => {
        this.abort(new SmtpFailureError('timeout', `no reply to ${phase} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.onFailure = (failure) => finish(failure);
      for (const c of awaited) {
        this.waiters.push({
          ...expectation(c.line),
          ...(c.tag === undefined ? {} : { tag: c.tag }),
          resolve: (reply) => {
            replies.push(reply);
            if (replies.length === awaited.length) finish();
          },
        });
      }
      if (bye) {
        this.goodbye = new Promise((settle) => (this.settleGoodbye = settle));
        this.waiters.push({ ...expectation(bye.line), resolve: () => this.endGoodbye(null) });
      }
      if (replies.length === awaited.length) finish();
      if (this.failure) finish(this.failure);
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    const paired: Array<{ waiter: Waiter; reply: Reply }> = [];
    for (const item of this.parser.push(chunk)) {
      if (isReplyError(item)) {
        if (item.line) this.log('<', item.line);
        this.fail({ failure: 'protocol_error', message: item.message });
        return;
      }
      const waiter = this.waiters.shift();
      for (const line of item.lines) this.log('<', line, waiter?.tag);
      if (!waiter && item.code === 421) {
        // A server closing an idle session may say so unasked (RFC 5321 §3.8): a hang-up, not garbage.
        this.fail({ failure: 'connection_closed', message: `the server closed the connection: "${item.lines[0] ?? ''}"` }, true);
        return;
      }
      const misfit = waiter
        ? replyMisfit(item, waiter, this.asked)
        : `the server sent "${item.lines[0] ?? item.code}" when no command was waiting for a reply`;
      if (misfit) {
        // Nothing read together with it is trusted: the order of replies is broken.
        this.fail({ failure: 'protocol_error', message: `replies out of step: ${misfit}` });
        return;
      }
      paired.push({ waiter: waiter!, reply: item });
    }
    for (const { waiter, reply } of paired) waiter.resolve(reply);
  };

  private readonly onClose = (): void => {
    const midReply = this.parser.midReply;
    if (this.quitSent && this.waiters.length === 0 && !midReply) {
      this.fail({ failure: 'connection_closed', message: 'closed after QUIT' }, true);
      return;
    }
    this.fail({
      failure: 'connection_closed',
      message: midReply ? 'the server closed the connection in the middle of a reply' : 'the server closed the connection',
    });
  };

  private readonly onError = (error: Error): void => {
    this.fail(toFailure(error));
  };

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('close', this.onClose);
    socket.off('error', this.onError);
  }

  /**
   * Cancelled or out of time: say QUIT without waiting for the answer, so the server sees a
   * polite goodbye rather than a dropped connection, and give the bytes a moment to leave.
   */
  private abort(failure: SmtpFailure): void {
    if (this.failure) return;
    const writable = this.socket.writable;
    if (writable) {
      this.log('>', 'QUIT');
      this.socket.end('QUIT\r\n');
    }
    this.fail(failure, false, writable);
  }

  private endGoodbye(outOfStep: SmtpFailure | null): void {
    this.settleGoodbye?.(outOfStep);
    this.settleGoodbye = null;
  }

  private fail(failure: SmtpFailure, quiet = false, lingering = false): void {
    if (this.failure) return;
    this.failure = failure;
    this.endGoodbye(failure.failure === 'protocol_error' ? failure : null);
    this.signal.removeEventListener('abort', this.abortListener);
    if (!quiet) this.log('*', `${failure.failure}: ${failure.message}`);
    this.waiters = [];
    const socket = this.socket;
    if (lingering) setTimeout(() => socket.destroy(), 500).unref();
    else socket.destroy();
    this.onFailure?.(failure);
  }
}

/** What a command line expects back: its verb, and the address a MAIL or RCPT names. */
function expectation(line: string): Expected {
  const verb = (/^[A-Za-z]+/.exec(line)?.[0] ?? '').toUpperCase();
  const address = verb === 'MAIL' || verb === 'RCPT' ? /<([^>]*)>/.exec(line)?.[1] : undefined;
  return address === undefined ? { command: verb } : { command: verb, address };
}
