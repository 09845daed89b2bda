/**
 * A UDP DNS responder that answers every query with SERVFAIL. dnsmasq cannot produce SERVFAIL
 * for a name by itself, so the zones in LAB_SERVFAIL_ZONES are forwarded here.
 */
import dgram from 'node:dgram';

export interface ServfailHandle {
  port: number;
  stop(): Promise<void>;
}

const HEADER = 12;

/** Length of the question section (QNAME labels + QTYPE + QCLASS), or -1 if malformed. */
function questionLength(query: Buffer): number {
  let i = HEADER;
  while (i < query.length && query[i] !== 0) {
    if ((query[i]! & 0xc0) !== 0) return -1; // no compression in a question we forward
    i += query[i]! + 1;
  }
  return i + 1 + 4 <= query.length ? i + 1 + 4 - HEADER : -1;
}

export function servfailResponse(query: Buffer): Buffer | null {
  if (query.length < HEADER) return null;
  const qdcount = query.readUInt16BE(4);
  const qlen = qdcount === 1 ? questionLength(query) : 0;
  if (qlen < 0) return null;
  const out = Buffer.from(query.subarray(0, HEADER + qlen));
  out[2] = 0x80 | (query[2]! & 0x79); // QR=1, same opcode and RD; AA=0, TC=0
  out[3] = 0x80 | 2; // RA=1, RCODE=2 (SERVFAIL)
  out.writeUInt16BE(qlen > 0 ? 1 : 0, 4);
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

export function startServfailResponder(host = '127.0.0.1', port = 0): Promise<ServfailHandle> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const reply = servfailResponse(msg);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve({
        port: socket.address().port,
        stop: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
