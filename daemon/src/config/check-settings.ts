import net from 'node:net';
import { parseAddress } from '@mailping/shared';
import { parseCidr } from '../network/network-policy';
import { parseSocksUrl } from '../verify/smtp/socks-dialer';
import type { Settings } from './settings';

export interface SettingIssue {
  key: string;
  message: string;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** A name we could give in EHLO: a host name, or an address literal like `[192.0.2.1]`. */
export function isHeloName(value: string): boolean {
  const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(value);
  return literal ? net.isIP(literal[1]!) !== 0 : HOST_NAME.test(value);
}

/** `ip`, `ip:port` or `[ipv6]:port`: what Node's resolver accepts in setServers. */
export function checkDnsServer(value: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const v4 = /^([\d.]+)(?::(\d+))?$/.exec(value);
  const [ip, port] = bracketed ? [bracketed[1]!, bracketed[2]] : v4 ? [v4[1]!, v4[2]] : [value, undefined];
  if (!net.isIP(ip)) return `"${value}" is not an IP address (use ip, ip:port or [ipv6]:port)`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `"${value}": the port must be between 1 and 65535`;
  return null;
}

/**
 * What the schema cannot say: that the sender parses as an address, the HELO name is a host
 * name, DNS servers are IP addresses and the proxy a socks5:// URL. Empty when all is well.
 */
export function checkSettings(settings: Settings): SettingIssue[] {
  const issues: SettingIssue[] = [];
  if (settings.from !== '') {
    const parsed = parseAddress(settings.from);
    if (!parsed.ok) issues.push({ key: 'from', message: `"${settings.from}" is not an address: ${parsed.error.message} (use "" for the null sender)` });
  }
  if (settings.helo !== null && !isHeloName(settings.helo)) {
    issues.push({ key: 'helo', message: `"${settings.helo}" is not a host name (like mail.example.com)` });
  }
  for (const [i, server] of settings.dnsServers.entries()) {
    const problem = checkDnsServer(server);
    if (problem) issues.push({ key: `dnsServers[${i}]`, message: problem });
  }
  if (settings.socksProxy !== null) {
    const parsed = parseSocksUrl(settings.socksProxy);
    if (!parsed.ok) issues.push({ key: 'socksProxy', message: `${parsed.message}; use socks5://host:port` });
    else if (parsed.proxy.port < 1) issues.push({ key: 'socksProxy', message: `"${settings.socksProxy}": the port must be between 1 and 65535` });
  }
  issues.push(...checkServerSettings(settings.server));
  return issues;
}

function checkServerSettings(server: Settings['server']): SettingIssue[] {
  const issues: SettingIssue[] = [];
  if (server.host !== null && net.isIP(server.host) === 0) {
    issues.push({ key: 'server.host', message: `"${server.host}" is not an IP address (use 0.0.0.0 for every interface, or one address)` });
  }
  for (const key of ['trustedProxies', 'localNetworks'] as const) {
    for (const [i, value] of server[key].entries()) {
      const parsed = parseCidr(value);
      if (!parsed.ok) issues.push({ key: `server.${key}[${i}]`, message: parsed.message });
    }
  }
  for (const [i, name] of server.hostnames.entries()) {
    if (!HOST_NAME.test(name)) issues.push({ key: `server.hostnames[${i}]`, message: `"${name}" is not a host name (like verify.example.com)` });
  }
  return issues;
}
