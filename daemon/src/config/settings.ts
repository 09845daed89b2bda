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
