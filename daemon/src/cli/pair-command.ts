import { DEFAULT_DAEMON_PORT } from '@mailping/shared';
import { Command, Option } from 'commander';
import { formatPairingCode } from '../auth/pairing-code';
import { createPairingCode, PAIRING_CODE_TTL_MS } from '../auth/pairing-store';
import { loadSettings } from '../config/load-settings';
import { ensureDirectories, mailpingPaths } from '../config/paths';
import { openDatabase } from '../store/database';
import { positiveInt } from './option-parsers';

interface PairFlags {
  json?: boolean;
  ttlSeconds?: number;
}

/**
 * Prints a one-time code for the extension. It is written (hashed) to the shared database, so it
 * works whether the daemon is running now or starts later.
 */
export function pairCommand(_setExitCode: (code: number) => void): Command {
  return new Command('pair')
    .description('print a one-time code that pairs the browser extension with this daemon')
    .option('--json', 'print {"code", "expiresAt"} as JSON')
    .addOption(new Option('--ttl-seconds <n>', 'how long the code lives (tests)').argParser((v) => positiveInt(v, 3600, 'ttl')).hideHelp())
    .action(async (flags: PairFlags) => {
      const paths = mailpingPaths();
      ensureDirectories(paths);
      const db = openDatabase(paths.database);
      let created;
      try {
        created = createPairingCode(db, flags.ttlSeconds !== undefined ? { ttlMs: flags.ttlSeconds * 1000 } : {});
      } finally {
        db.close();
      }
      const code = formatPairingCode(created.code);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ code, expiresAt: new Date(created.expiresAt).toISOString() })}\n`);
        return;
      }
      const minutes = Math.round((flags.ttlSeconds !== undefined ? flags.ttlSeconds * 1000 : PAIRING_CODE_TTL_MS) / 60_000);
      process.stdout.write(
        [
          `Pairing code: ${code}`,
          '',
          `Enter it in the MailPing extension (click its icon, then "Pair") within ${minutes > 0 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : 'a minute'}.`,
          'It works once; a few wrong attempts cancel it. Run `mailping pair` again for a new one.',
          '',
        ].join('\n'),
      );
      const port = daemonPort();
      if (!(await daemonAnswers(port))) {
        process.stdout.write(`The daemon is not running on port ${port}: start it with \`mailping serve\` (or \`mailping service install\`).\n`);
      }
    });
}

function daemonPort(): number {
  try {
    return loadSettings(mailpingPaths()).port;
  } catch {
    return DEFAULT_DAEMON_PORT;
  }
}

async function daemonAnswers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}
