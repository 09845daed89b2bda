import net from 'node:net';
import { isHeloName } from '../config/check-settings';

/** `host`, `host:port`, `ip`, `ip:port`, `[ipv6]:port` or a bare IPv6 address; port 25 when left out. */
export function parseMxOption(value: string): { ok: true; host: string; port: number } | { ok: false; message: string } {
  const v = value.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  const hostPort = /^([^:\s]+)(?::(\d+))?$/.exec(v);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : net.isIPv6(v) ? [v, undefined] : hostPort ? [hostPort[1]!, hostPort[2]] : ['', undefined];
  if (!host || (!net.isIP(host) && !isHeloName(host))) return { ok: false, message: `"${value}" is not a host name or IP address (use host, host:port or [ipv6]:port)` };
  const n = port === undefined ? 25 : Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) return { ok: false, message: `"${value}": the port must be between 1 and 65535` };
  return { ok: true, host: host.replace(/\.$/, '').toLowerCase(), port: n };
}
