import net from 'node:net';

/**
 * Who is on the other end of a connection, as server mode needs to know it: the client's own
 * address (behind a trusted reverse proxy, the one X-Forwarded-For names) and whether that
 * address is this machine. "This machine" is a list of networks, loopback by default; tests
 * narrow it to 127.0.0.1 so a client bound to 127.0.0.9 plays a stranger on the network.
 */
export interface NetworkPolicy {
  /** The client's address: the peer, or for a trusted proxy the last untrusted X-Forwarded-For hop. */
  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string;
  isLocal(address: string): boolean;
  isTrustedProxy(address: string): boolean;
  /** Key for per-source budgets: the address, or its /64 for IPv6 (one host holds a whole /64). */
  budgetKey(address: string): string;
}

export type CidrParse = { ok: true; address: string; prefix: number; family: 'ipv4' | 'ipv6' } | { ok: false; message: string };

export function parseCidr(value: string): CidrParse {
  const [address = '', prefixText, extra] = value.trim().split('/');
  const version = net.isIP(address);
  if (version === 0 || extra !== undefined) return { ok: false, message: `"${value}" is not an IP address or network (like 10.0.0.0/8)` };
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
    return { ok: false, message: `"${value}": the prefix length must be 0 to ${max}` };
  }
  return { ok: true, address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:127.0.0.1` (a v4 peer on a dual-stack socket) is 127.0.0.1. */
export function unmapAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function blockList(cidrs: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed.ok) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

function contains(list: net.BlockList, address: string): boolean {
  const ip = unmapAddress(address);
  const version = net.isIP(ip);
  return version !== 0 && list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}

export function createNetworkPolicy(options: { localNetworks: readonly string[]; trustedProxies: readonly string[] }): NetworkPolicy {
  const local = blockList(options.localNetworks);
  const proxies = blockList(options.trustedProxies);
  const isTrustedProxy = (address: string): boolean => contains(proxies, address);
  return {
    isLocal: (address) => contains(local, address),
    isTrustedProxy,
    clientAddress(peer, forwardedFor) {
      const direct = unmapAddress(peer ?? '');
      if (!isTrustedProxy(direct) || forwardedFor === undefined) return direct;
      // Rightmost first: hops a client wrote itself sit to the left of what our proxies appended.
      const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
        .split(',')
        .map((h) => unmapAddress(h.trim()));
      for (let i = hops.length - 1; i >= 0; i--) {
        const hop = hops[i]!;
        if (net.isIP(hop) === 0) return direct;
        if (!isTrustedProxy(hop)) return hop;
      }
      return hops[0] ?? direct;
    },
    budgetKey(address) {
      const ip = unmapAddress(address);
      if (net.isIP(ip) !== 6) return ip;
      const sock = new net.SocketAddress({ address: ip, family: 'ipv6' });
      // Expand "::" so the first four groups are the /64.
      const [head = '', tail = ''] = sock.address.split('::');
      const left = head ? head.split(':') : [];
      const right = tail ? tail.split(':') : [];
      const groups = sock.address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : sock.address.split(':');
      return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
    },
  };
}
