import net from 'node:net';
import { InvalidArgumentError } from 'commander';
import { parseAddress } from '@mailping/shared';

/** `ip`, `ip:port` or `[ipv6]:port`: the forms Node's resolver takes. */
export function parseDnsServer(value: string, previous: string[] = []): string[] {
  const v = value.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  const v4 = /^([\d.]+)(?::(\d+))?$/.exec(v);
  const [ip, port] = bracketed ? [bracketed[1]!, bracketed[2]] : v4 ? [v4[1]!, v4[2]] : [v, undefined];
  if (!net.isIP(ip)) throw new InvalidArgumentError(`"${value}" is not an IP address (use ip, ip:port or [ipv6]:port)`);
  if (port !== undefined) positiveInt(port, 65535, 'port');
  return [...previous, v];
}

export function positiveInt(value: string, max = Number.MAX_SAFE_INTEGER, what = 'value'): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${what} must be a whole number, not "${value}"`);
  const n = Number(value);
  if (n < 1 || n > max) throw new InvalidArgumentError(`${what} must be between 1 and ${max}`);
  return n;
}

export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new InvalidArgumentError(`"${value}" is not a number of seconds between 0 and 3600`);
  return n;
}

/** A host name we may honestly call ourselves in EHLO. */
export function heloName(value: string): string {
  const v = value.trim();
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(v) && !/^\[[\d.:a-fA-F]+\]$/.test(v)) {
    throw new InvalidArgumentError(`"${value}" is not a host name`);
  }
  return v;
}

/** An envelope sender: an address, or "" / "<>" for the null sender. */
export function senderAddress(value: string): string {
  const v = value.trim();
  if (v === '' || v === '<>') return '';
  const parsed = parseAddress(v.replace(/^<(.*)>$/, '$1'));
  if (!parsed.ok) throw new InvalidArgumentError(`"${value}" is not a valid sender: ${parsed.error.message}`);
  return parsed.address.normalized;
}

/** "20m", "90s", "1h", "1h30m" or a number of seconds; "0" means no time at all. In milliseconds. */
export function duration(value: string): number {
  const v = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const parts = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  if (!parts || v === '') throw new InvalidArgumentError(`"${value}" is not a duration (like 20m, 90s, 1h or 0)`);
  const [, h = '0', m = '0', s = '0'] = parts;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}
