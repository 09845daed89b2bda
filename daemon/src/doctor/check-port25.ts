import net from 'node:net';
import * as cmd from '../verify/smtp/command';
import { SmtpConnection } from '../verify/smtp/connection';
import type { Dialer } from '../verify/smtp/dial';
import type { SmtpFailure } from '../verify/smtp/failure';
import type { Reply } from '../verify/smtp/reply-parser';
import { PORT25_ADVICE, type CheckResult } from './types';

export interface Port25Options {
  dial: Dialer;
  helo: string;
  connectTimeoutMs: number;
  replyTimeoutMs: number;
  signal: AbortSignal;
  /** `host:port` of the SOCKS proxy the dialer goes through, for the words of the result. */
  proxy?: string;
}

export interface Port25Check extends Omit<CheckResult, 'durationMs'> {
  /** Our address as the server saw it, when its EHLO reply says ("Hello name [203.0.113.5]"). */
  seenAs?: string;
  greeting?: string;
}

/**
 * Can we hold an SMTP conversation with a mail server? Connect, read the greeting, EHLO, QUIT:
 * no MAIL, no RCPT, no address of anyone leaves this machine.
 */
export async function checkPort25(target: { host: string; ip: string; port: number }, options: Port25Options): Promise<Port25Check> {
  const base = { id: 'port25', title: `port ${target.port}` } as const;
  const where = `${target.host === target.ip ? '' : `${target.host} `}[${target.ip}]:${target.port}${options.proxy ? ` through SOCKS proxy ${options.proxy}` : ''}`;
  let connection: SmtpConnection;
  try {
    connection = await SmtpConnection.open(options.dial, target, { connectTimeoutMs: options.connectTimeoutMs, signal: options.signal, log: () => {} });
  } catch (error) {
    const failure = error as SmtpFailure;
    return { ...base, status: 'fail', summary: `${where}: ${connectProblem(failure, options)}`, advice: connectAdvice(failure, options) };
  }
  try {
    const greeting = await connection.greeting(options.replyTimeoutMs);
    const banner = greeting.replies[0];
    if (!banner) {
      return {
        ...base,
        status: 'fail',
        summary: `${where}: connected, but ${greeting.failure?.message ?? 'no greeting'}`,
        advice: 'something between you and the server (a firewall or your ISP) intercepts port 25: use a SOCKS5 proxy (mailping config set socksProxy socks5://host:1080) or run the daemon on a server',
      };
    }
    if (banner.code >= 400) {
      return {
        ...base,
        status: 'warn',
        summary: `${where}: reachable, but the server refuses us: ${firstLine(banner)}`,
        advice: 'mail servers refuse your address (often a blocklisted or residential IP): verification will mostly answer "unknown"; a proxy or a server with a clean IP helps',
      };
    }
    const ehlo = await connection.exchange([{ line: cmd.ehlo(options.helo) }], options.replyTimeoutMs, 'EHLO');
    const reply = ehlo.replies[0];
    const seenAs = reply ? addressInEhloReply(reply) : undefined;
    const said = `${firstLine(banner)}${reply ? ` / EHLO ${reply.code}` : ''}`;
    if (!reply || reply.code >= 400) {
      return {
        ...base,
        status: 'warn',
        summary: `${where}: reachable (${firstLine(banner)}), but EHLO ${reply ? `was refused: ${firstLine(reply)}` : `got no reply: ${ehlo.failure?.message ?? ''}`}`,
        advice: 'the server does not like our EHLO: set a real host name (mailping config set helo mail.example.com)',
      };
    }
    return { ...base, status: 'ok', summary: `${where} answered: ${said}`, greeting: firstLine(banner), ...(seenAs !== undefined && { seenAs }) };
  } finally {
    await connection.quit(Math.min(2000, options.replyTimeoutMs));
  }
}

function connectProblem(failure: SmtpFailure, options: Port25Options): string {
  switch (failure.failure) {
    case 'connect_timeout':
      return `no answer within ${Math.round(options.connectTimeoutMs / 100) / 10} s${options.proxy ? ` (${failure.message})` : ''}`;
    case 'connection_refused':
      return `connection refused${options.proxy ? ` (${failure.message})` : ' (nothing listens there, or your network refuses port 25)'}`;
    default:
      return /ENETUNREACH|EHOSTUNREACH|no route/i.test(failure.message) ? `no route (${failure.message})` : failure.message;
  }
}

function connectAdvice(failure: SmtpFailure, options: Port25Options): string {
  if (options.proxy && failure.failure === 'connection_error' && failure.message.includes(options.proxy)) {
    return `the SOCKS proxy ${options.proxy} does not work: check that it runs and that the URL is right (mailping config get socksProxy)`;
  }
  if (options.proxy) {
    return `the SOCKS proxy ${options.proxy} cannot reach port 25: use a proxy that allows outbound port 25, or run the daemon on a server that can reach it`;
  }
  if (/ENETUNREACH|EHOSTUNREACH|no route/i.test(failure.message)) {
    return 'this machine has no route to the internet: connect to a network, then run mailping doctor again';
  }
  return PORT25_ADVICE;
}

function firstLine(reply: Reply): string {
  return reply.lines[0] ?? String(reply.code);
}

/**
 * Servers often name the client's address in the first EHLO line: Gmail "mx.google.com at your
 * service, [203.0.113.5]", Exim "mx.example.com Hello host [203.0.113.5]". That is how the
 * doctor learns our public IP without asking any third-party service.
 */
export function addressInEhloReply(reply: Pick<Reply, 'lines'>): string | undefined {
  const first = reply.lines[0] ?? '';
  for (const match of first.matchAll(/\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]/g)) {
    if (net.isIP(match[1]!)) return match[1]!;
  }
  return undefined;
}
