import { Command, Option } from 'commander';
import { formatPairingCode } from '../auth/pairing-code';
import { createPairingCode, INVITE_TTL_MS } from '../auth/pairing-store';
import type { QuotaOverrides } from '../auth/token-store';
import { ensureDirectories, mailpingPaths } from '../config/paths';
import { openDatabase } from '../store/database';
import { positiveInt } from './option-parsers';

interface InviteFlags {
  json?: boolean;
  freshPerDay?: number;
  listSize?: number;
  lists?: number;
  perMinute?: number;
  ttlSeconds?: number;
}

/**
 * `mailping invite <name>`: a one-time code for someone on another machine. It lives a day, and
 * the token it becomes carries the name and a quota (server.quota, unless the flags say otherwise).
 */
export function inviteCommand(_setExitCode: (code: number) => void): Command {
  const count = (what: string) => (v: string) => positiveInt(v, 10_000_000, what);
  return new Command('invite')
    .description('print a one-time code (valid 24 h) that gives a person\'s extension or CLI a token for this server, with a quota')
    .argument('<name>', 'who it is for: the token\'s name in `mailping tokens`')
    .option('--fresh-per-day <n>', 'checks that ask a mail server, per UTC day (cached answers are free; default: server.quota.freshChecksPerDay)', count('fresh-per-day'))
    .option('--list-size <n>', 'addresses in one list (default: server.quota.maxListSize)', count('list-size'))
    .option('--lists <n>', 'lists running at once (default: server.quota.concurrentLists)', count('lists'))
    .option('--per-minute <n>', 'requests per minute (default: server.quota.requestsPerMinute)', count('per-minute'))
    .option('--json', 'print {"code", "name", "expiresAt"} as JSON')
    .addOption(new Option('--ttl-seconds <n>', 'how long the code lives (tests)').argParser((v) => positiveInt(v, 86_400, 'ttl')).hideHelp())
    .action((name: string, flags: InviteFlags) => {
      const quota: QuotaOverrides = {
        ...(flags.freshPerDay !== undefined && { freshChecksPerDay: flags.freshPerDay }),
        ...(flags.listSize !== undefined && { maxListSize: flags.listSize }),
        ...(flags.lists !== undefined && { concurrentLists: flags.lists }),
        ...(flags.perMinute !== undefined && { requestsPerMinute: flags.perMinute }),
      };
      const label = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim().slice(0, 64) || 'invited';
      const paths = mailpingPaths();
      ensureDirectories(paths);
      const db = openDatabase(paths.database);
      let created;
      try {
        created = createPairingCode(db, { invite: { name: label, quota }, ...(flags.ttlSeconds !== undefined && { ttlMs: flags.ttlSeconds * 1000 }) });
      } finally {
        db.close();
      }
      const code = formatPairingCode(created.code);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ code, name: label, expiresAt: new Date(created.expiresAt).toISOString() })}\n`);
        return;
      }
      const hours = Math.round((flags.ttlSeconds !== undefined ? flags.ttlSeconds * 1000 : INVITE_TTL_MS) / 3_600_000);
      process.stdout.write(
        [
          `Invite for ${label}: ${code}`,
          '',
          `Valid for ${hours > 0 ? `${hours} hour${hours === 1 ? '' : 's'}` : 'less than an hour'}, once. Send it to ${label} over a channel you trust. They run:`,
          `  mailping connect https://<this server's name> ${code}`,
          '  (or POST {"code": "..."} to /v1/pair for a token: see docs/server.md)',
          'See who uses what with `mailping tokens`; stop a token with `mailping tokens revoke <id>`.',
          '',
        ].join('\n'),
      );
    });
}
