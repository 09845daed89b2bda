import { InvalidArgumentError } from 'commander';

/** `--queue redis://[user:pass@]host:port[/db]` (rediss:// for TLS), checked when the command line is read. */
export function redisUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL: use redis://host:port`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new InvalidArgumentError(`"${value}" is not a redis:// or rediss:// URL`);
  return url.toString();
}
