import type { Reply } from './reply-parser';

/**
 * EHLO capabilities (RFC 5321 §4.1.1.1): the first line is the server's name, each later line
 * one keyword with optional parameters. Keywords are case-insensitive.
 */
export interface Capabilities {
  serverName: string;
  keywords: ReadonlyMap<string, readonly string[]>;
}

export function parseEhlo(reply: Pick<Reply, 'lines'>): Capabilities {
  const [first = '', ...rest] = reply.lines.map((l) => l.slice(4).trim());
  const keywords = new Map<string, string[]>();
  for (const line of rest) {
    const [keyword, ...params] = line.split(/\s+/);
    if (keyword && /^[A-Za-z0-9][A-Za-z0-9-]*$/.test(keyword)) keywords.set(keyword.toUpperCase(), params);
  }
  return { serverName: first.split(/\s+/)[0] ?? '', keywords };
}

export const NO_CAPABILITIES: Capabilities = { serverName: '', keywords: new Map() };

export function hasCapability(caps: Capabilities, keyword: string): boolean {
  return caps.keywords.has(keyword.toUpperCase());
}
