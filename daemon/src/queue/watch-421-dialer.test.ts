import { describe, expect, it } from 'vitest';
import { memoryDialer } from '../verify/smtp/memory-dialer.test-support';
import { watch421 } from './watch-421-dialer';

const request = { ip: '192.0.2.7', port: 25, timeoutMs: 1000, signal: new AbortController().signal };

/** Dials once through `watch421` while the server writes `chunks`; says which IPs were reported. */
async function heard(chunks: string[]): Promise<string[]> {
  const ips: string[] = [];
  const server = memoryDialer(async (peer) => {
    for (const chunk of chunks) {
      peer.write(chunk);
      await new Promise((r) => setTimeout(r, 5));
    }
    peer.end();
  });
  const socket = await watch421(server.dial, (ip) => ips.push(ip))(request);
  socket.resume();
  await server.settled();
  await new Promise((r) => setTimeout(r, 10));
  socket.destroy();
  return ips;
}

describe('watch421', () => {
  it('hears a 421 at the start of a reply line, once, even split across chunks', async () => {
    expect(await heard(['421 4.7.0 too many connections\r\n'])).toEqual(['192.0.2.7']);
    expect(await heard(['220 hello\r\n250-PIPELINING\r\n250 OK\r\n4', '21 4.7.0 Error: too many errors\r\n'])).toEqual(['192.0.2.7']);
    expect(await heard(['250 OK\r\n42', '1-first line\r\n'])).toEqual(['192.0.2.7']);
    expect(await heard(['421 one\r\n', '421 two\r\n'])).toEqual(['192.0.2.7']);
  });

  it('ignores 421 anywhere else in a reply', async () => {
    expect(await heard(['220 mx421.example.test ESMTP\r\n', '250 2.1.5 <user421@x.test> Ok\r\n', '550 5.1.1 4', '21 not at a line start\r\n'])).toEqual([]);
  });
});
