/**
 * mx.nocodes.test: a server that answers without RFC 3463 enhanced status codes, like many exim
 * and older MTAs. Postfix cannot do that: `smtpd_discard_ehlo_keywords = enhancedstatuscodes`
 * hides the EHLO keyword but its replies still carry "5.1.1" (checked with 3.7.11, and its
 * smtpd_chat.c has no code to strip them). So the listener is a real Postfix smtpd on a private
 * port, behind this line-rewriting TCP proxy that removes the codes from every reply line.
 * The session is plaintext only (that Postfix listener offers no STARTTLS), so every line can
 * be rewritten.
 */
import net from 'node:net';

export interface StripCodesProxyHandle {
  address: string;
  stop(): Promise<void>;
}

const ENHANCED_CODE = /^(\d{3}[ -])[245]\.\d{1,3}\.\d{1,3}(?: |$)/;

/** `550 5.1.1 <x@d>: ...` → `550 <x@d>: ...`; a reply that was only a code (`250 2.0.0`) becomes `250`. */
export function stripEnhancedCode(line: string): string {
  return line.replace(ENHANCED_CODE, '$1').replace(/^(\d{3}) $/, '$1');
}

export function startStripCodesProxy(options: {
  address: string;
  port?: number;
  backendHost: string;
  backendPort: number;
}): Promise<StripCodesProxyHandle> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const backend = net.connect({ host: options.backendHost, port: options.backendPort });
    sockets.add(client).add(backend);
    let pending = '';
    backend.setEncoding('latin1'); // byte-transparent: replies are ASCII, but never corrupt anything
    backend.on('data', (chunk: string) => {
      pending += chunk;
      let i: number;
      let out = '';
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i).replace(/\r$/, '');
        pending = pending.slice(i + 1);
        out += `${stripEnhancedCode(line)}\r\n`;
      }
      if (out) client.write(Buffer.from(out, 'latin1'));
    });
    client.pipe(backend);
    const close = (): void => {
      client.destroy();
      backend.destroy();
    };
    backend.on('end', () => client.end());
    backend.on('close', close);
    client.on('close', close);
    backend.on('error', close);
    client.on('error', close);
    client.on('close', () => sockets.delete(client));
    backend.on('close', () => sockets.delete(backend));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.address, port: options.port ?? 25, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        address: options.address,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            sockets.clear();
            if (!server.listening) return done();
            server.close(() => done());
          }),
      });
    });
  });
}
