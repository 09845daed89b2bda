import net from 'node:net';

/**
 * An SMTP server that does exactly what a test tells it, for the behaviours no real MTA will
 * produce on demand: never greeting, garbage, a reply split across packets, a 1 MB line.
 * Real behaviour (user unknown, greylisting, STARTTLS...) is tested against the lab's Postfix.
 */
export interface ScriptedConnection {
  socket: net.Socket;
  /** Writes text as is (add your own CRLF). */
  write(text: string | Buffer): void;
  /** Resolves with the next command line the client sends (without CRLF), or null when it closed. */
  readLine(timeoutMs?: number): Promise<string | null>;
  /** Every line the client sent on this connection so far. */
  received: string[];
}

export type Script = (connection: ScriptedConnection) => Promise<void> | void;

export interface ScriptedServer {
  address: string;
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Every command line received, across connections. */
  received: string[];
  close(): Promise<void>;
}

export async function startScriptedServer(host: string, script: Script, port = 25): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  const state: ScriptedServer = {
    address: host,
    port,
    connections: 0,
    received: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    const lines: string[] = [];
    const waiters: Array<(line: string | null) => void> = [];
    let closed = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        connection.received.push(line);
        state.received.push(line);
        const waiter = waiters.shift();
        if (waiter) waiter(line);
        else lines.push(line);
      }
    });
    socket.on('close', () => {
      closed = true;
      for (const w of waiters.splice(0)) w(null);
    });
    const connection: ScriptedConnection = {
      socket,
      received: [],
      write: (text) => {
        if (!socket.destroyed) socket.write(text);
      },
      readLine: (timeoutMs = 10_000) =>
        new Promise((resolve) => {
          const queued = lines.shift();
          if (queued !== undefined) return resolve(queued);
          if (closed) return resolve(null);
          const timer = setTimeout(() => resolve(null), timeoutMs);
          waiters.push((line) => {
            clearTimeout(timer);
            resolve(line);
          });
        }),
    };
    Promise.resolve(script(connection)).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return state;
}

/**
 * A well-behaved conversation to build scripts from: answers EHLO/MAIL/RCPT/RSET/QUIT with the
 * given RCPT answer function, and pipelining on.
 */
export async function politeConversation(
  c: ScriptedConnection,
  rcpt: (address: string) => string = () => '250 2.1.5 Ok',
  options: { banner?: string | null; extensions?: string[] } = {},
): Promise<void> {
  // banner: null when the script already greeted.
  if (options.banner !== null) c.write(`${options.banner ?? '220 scripted.test ESMTP'}\r\n`);
  const extensions = options.extensions ?? ['PIPELINING', 'ENHANCEDSTATUSCODES'];
  for (;;) {
    const line = await c.readLine();
    if (line === null) return;
    const verb = line.slice(0, 4).toUpperCase();
    if (verb === 'EHLO') {
      const lines = ['scripted.test', ...extensions];
      c.write(lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join(''));
    } else if (verb === 'HELO') c.write('250 scripted.test\r\n');
    else if (verb === 'MAIL') c.write('250 2.1.0 Ok\r\n');
    else if (verb === 'RCPT') c.write(`${rcpt(/<(.*)>/.exec(line)?.[1] ?? '')}\r\n`);
    else if (verb === 'RSET') c.write('250 2.0.0 Ok\r\n');
    else if (verb === 'QUIT') {
      c.write('221 2.0.0 Bye\r\n');
      c.socket.end();
      return;
    } else c.write('502 5.5.2 Error: command not recognized\r\n');
  }
}
