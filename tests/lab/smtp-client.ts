/**
 * A deliberately tiny SMTP client: the lab uses it to wait for its listeners, the smoke tests to
 * hold conversations with them. It is independent of the engine on purpose, so a lab failure and
 * an engine failure can be told apart.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface LabSmtpReply {
  code: number;
  /** RFC 3463 code of the last line, if the server sent one. */
  enhanced: string | null;
  /** Every line as received, without CRLF: `250-mx1.valid.test`, `250 SMTPUTF8`. */
  lines: string[];
  /** Line texts after the code and separator, joined by '\n'. */
  text: string;
}

const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?: |$)/;

function parseReply(lines: string[]): LabSmtpReply {
  const texts = lines.map((l) => l.slice(4));
  const last = texts[texts.length - 1] ?? '';
  return {
    code: Number(lines[0]?.slice(0, 3)),
    enhanced: ENHANCED.exec(last)?.[1] ?? null,
    lines,
    text: texts.join('\n'),
  };
}

export class SmtpTestSession {
  private buffer = '';
  private pending: string[] = [];
  private replies: LabSmtpReply[] = [];
  private waiters: Array<{ resolve: (r: LabSmtpReply) => void; reject: (e: Error) => void }> = [];
  private closedError: Error | null = null;

  private constructor(
    private socket: net.Socket | tls.TLSSocket,
    private readonly timeoutMs: number,
  ) {
    this.attach(socket);
  }

  /** Connects and waits for the greeting (which may be a 4xx/5xx refusal). */
  static async connect(
    host: string,
    port = 25,
    timeoutMs = 5000,
  ): Promise<{ session: SmtpTestSession; greeting: LabSmtpReply }> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => s.destroy(new Error(`connect ${host}:${port} timed out`)), timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const session = new SmtpTestSession(socket, timeoutMs);
    try {
      const greeting = await session.next();
      return { session, greeting };
    } catch (e) {
      session.close();
      throw e;
    }
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by server')));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let i: number;
    while ((i = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, i).replace(/\r$/, '');
      this.buffer = this.buffer.slice(i + 1);
      this.pending.push(line);
      if (line.charAt(3) !== '-') {
        this.replies.push(parseReply(this.pending));
        this.pending = [];
      }
    }
    this.flush();
  }

  private flush(): void {
    while (this.waiters.length > 0 && this.replies.length > 0) {
      this.waiters.shift()!.resolve(this.replies.shift()!);
    }
  }

  private fail(e: Error): void {
    this.closedError ??= e;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  /** The next reply from the server. */
  next(): Promise<LabSmtpReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no SMTP reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const done = (r: LabSmtpReply): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.waiters.push({
        resolve: done,
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Sends one command line (CRLF added) and waits for its reply. */
  async send(command: string): Promise<LabSmtpReply> {
    if (/[\r\n\0]/.test(command)) throw new Error('SMTP command must not contain CR, LF or NUL');
    this.socket.write(`${command}\r\n`);
    return this.next();
  }

  /** STARTTLS then handshake (the lab's certificates are self-signed); EHLO again is up to the caller. */
  async startTls(servername: string): Promise<LabSmtpReply> {
    const reply = await this.send('STARTTLS');
    if (reply.code !== 220) return reply;
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    this.buffer = '';
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: plain, servername, rejectUnauthorized: false });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
    return reply;
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** QUIT politely when the session is still usable, then close. */
  async quit(): Promise<void> {
    if (!this.closedError) {
      try {
        await this.send('QUIT');
      } catch {
        // Server already gone.
      }
    }
    this.close();
  }

  close(): void {
    this.socket.destroy();
  }
}
