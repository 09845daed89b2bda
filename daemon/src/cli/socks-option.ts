import { InvalidArgumentError } from 'commander';
import { parseSocksUrl } from '../verify/smtp/socks-dialer';

/** `--socks socks5://[user:pass@]host:port`, checked when the command line is read. */
export function socksUrl(value: string): string {
  const parsed = parseSocksUrl(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
  return value.trim();
}
