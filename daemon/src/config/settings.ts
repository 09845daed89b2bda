import { DEFAULT_DAEMON_PORT } from '@mailping/shared';
import * as z from 'zod';

/**
 * Every setting of the daemon and the CLI, with its default. config.json holds only what the
 * user changed; this schema fills in the rest and rejects what makes no sense.
 */
export const settingsSchema = z.object({
  port: z.number().int().min(1).max(65535).default(DEFAULT_DAEMON_PORT),
  /** EHLO name; null: this machine's host name. */
  helo: z.string().min(1).max(255).nullable().default(null),
  /** Envelope sender; '' is the null sender. */
  from: z.string().max(254).default(''),
  /** DNS servers (`ip`, `ip:port`); empty: the system's. */
  dnsServers: z.array(z.string()).default([]),
  /** `socks5://[user:pass@]host:port` for the SMTP connections; null: connect directly. */
  socksProxy: z.string().nullable().default(null),
  tls: z.enum(['auto', 'always']).default('auto'),
  timeouts: z
    .object({
      totalSeconds: z.number().positive().max(600).default(30),
      connectSeconds: z.number().positive().max(120).default(10),
      greetingSeconds: z.number().positive().max(600).default(25),
      commandSeconds: z.number().positive().max(600).default(20),
      dnsSeconds: z.number().positive().max(60).default(5),
    })
    .prefault({}),
  politeness: z
    .object({
      connectionsPerHost: z.number().int().min(1).max(20).default(2),
      rcptPerMinutePerDomain: z.number().int().min(1).max(10_000).default(120),
      errorBudget: z.number().int().min(1).max(50).default(8),
      maxRcptPerSession: z.number().int().min(1).max(100).default(50),
      /** After a 421, leave that server alone this long. */
      backoffSeconds: z.number().int().min(0).max(3600).default(60),
    })
    .prefault({}),
  cache: z
    .object({
      deliverableHours: z.number().min(0).default(7 * 24),
      undeliverableHours: z.number().min(0).default(7 * 24),
      riskyHours: z.number().min(0).default(24),
      unknownMinutes: z.number().min(0).default(10),
      catchAllHours: z.number().min(0).default(24),
      historyLimit: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
  greylist: z
    .object({
      retryDelaySeconds: z.number().int().min(1).max(24 * 3600).default(300),
      maxRetries: z.number().int().min(0).max(10).default(3),
    })
    .prefault({}),
  limits: z
    .object({
      /** Verification requests per minute per connected client. */
      requestsPerMinute: z.number().int().min(1).default(120),
      /** Requests waiting in the scheduler, all clients together. */
      maxQueued: z.number().int().min(1).default(1000),
      /** Requests in flight per WebSocket connection. */
      maxPendingPerClient: z.number().int().min(1).default(200),
    })
    .prefault({}),
  /**
   * Server mode: the daemon reachable from other machines. With `host` null it is the local
   * daemon of today, on 127.0.0.1 and [::1] only.
   */
  server: z
    .object({
      /** Listen address (an IP); null: loopback only. Anything but loopback needs `tls` or `trustedProxies`. */
      host: z.string().min(1).nullable().default(null),
      /** Built-in TLS: PEM files, read again on SIGHUP and when they change. */
      tls: z
        .object({ cert: z.string().min(1).nullable().default(null), key: z.string().min(1).nullable().default(null) })
        .prefault({}),
      /** Reverse proxies (IPs) whose X-Forwarded-For names the real client. */
      trustedProxies: z.array(z.string()).default([]),
      /** The server's own names, accepted in Host besides the loopback names. */
      hostnames: z.array(z.string().min(1).max(253)).default([]),
      /** Source addresses treated as this machine (CIDR): local pairing codes and /metrics work from these only. */
      localNetworks: z.array(z.string()).default(['127.0.0.0/8', '::1/128']),
      /** WebSocket connections at once in server mode (local mode keeps a small cap of its own). */
      maxConnections: z.number().int().min(1).max(100_000).default(2000),
      /** Wrong invite codes one source address (an IPv6 /64) may try per hour. */
      pairingAttemptsPerHour: z.number().int().min(1).max(1000).default(10),
      /** What an invited token may do unless its invite says otherwise. */
      quota: z
        .object({
          freshChecksPerDay: z.number().int().min(0).default(1000),
          maxListSize: z.number().int().min(1).max(1_000_000).default(10_000),
          concurrentLists: z.number().int().min(1).max(100).default(2),
          requestsPerMinute: z.number().int().min(1).default(120),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Where `mailping verify --server` goes when no flag says, and the token it sends (MAILPING_TOKEN wins). */
  client: z
    .object({
      server: z.string().url().nullable().default(null),
      token: z.string().nullable().default(null),
    })
    .prefault({}),
  /** Extension ids allowed to connect (Origin check); the published MailPing id is always allowed. */
  allowedExtensions: z
    .object({
      chrome: z.array(z.string().regex(/^[a-p]{32}$/)).default([]),
      /** Firefox gives each install a random UUID; empty: any moz-extension origin may pair. */
      firefox: z.array(z.string().uuid()).default([]),
    })
    .prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});
