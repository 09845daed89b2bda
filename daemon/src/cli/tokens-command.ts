import { Command } from 'commander';
import { quotaOf } from '../auth/quota';
import { createTokenStore, type TokenRecord } from '../auth/token-store';
import { createUsageStore, type DayUsage } from '../auth/usage-store';
import { loadSettings } from '../config/load-settings';
import { ensureDirectories, mailpingPaths } from '../config/paths';
import { DEFAULT_SETTINGS, type Settings } from '../config/settings';
import { openDatabase, type Db } from '../store/database';

/** `mailping tokens list | revoke <id> | create`: the extension pairings (and script tokens) of this machine. */
export function tokensCommand(setExitCode: (code: number) => void): Command {
  const list = new Command('list')
    .description('list tokens: id, label, origin, created, last used, today\'s checks against the quota (never the token itself)')
    .option('--json', 'one JSON array')
    .action((flags: { json?: boolean }) =>
      withDb((db) => {
        const tokens = createTokenStore(db).list();
        const usage = createUsageStore(db).todayAll();
        const settings = settingsOrDefaults();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(tokens.map((t) => toJson(t, usage.get(t.id), settings)))}\n`);
          return;
        }
        if (tokens.length === 0) {
          process.stdout.write('No tokens. Pair the browser extension with `mailping pair`, or invite someone with `mailping invite <name>`.\n');
          return;
        }
        process.stdout.write(table(tokens, usage, settings));
      }),
    );

  const revoke = new Command('revoke')
    .description('revoke a token: it stops working at once and its open connections are closed')
    .argument('<id>', 'the token id, as `mailping tokens list` shows it')
    .action((id: string) =>
      withDb((db) => {
        const outcome = createTokenStore(db).revoke(id.trim());
        if (outcome === 'not_found') {
          process.stderr.write(`mailping tokens revoke: no token with id ${JSON.stringify(id)} (see \`mailping tokens list\`)\n`);
          setExitCode(1);
          return;
        }
        process.stdout.write(outcome === 'revoked' ? `Revoked token ${id}. A running daemon closes its connections within seconds.\n` : `Token ${id} was already revoked.\n`);
      }),
    );

  const create = new Command('create')
    .description('make a token for a script that calls the HTTP API (Authorization: Bearer <token>); the extension pairs with `mailping pair` instead')
    .option('--label <text>', 'a name for it in `mailping tokens list`', 'script')
    .option('--metrics', 'a token for a Prometheus scraper: it reads /metrics and nothing else')
    .action((flags: { label: string; metrics?: boolean }) =>
      withDb((db) => {
        const issued = createTokenStore(db).issue({ origin: null, label: flags.label.slice(0, 64), scope: flags.metrics ? 'metrics' : 'verify' });
        process.stdout.write(`${issued.token}\n`);
        process.stderr.write(
          flags.metrics
            ? `Metrics token ${issued.id} created. It is shown only now; it reads /metrics (Authorization: Bearer <token>) and nothing else.\n`
            : `Token ${issued.id} created. It is shown only now; it works without a browser Origin only.\n`,
        );
      }),
    );

  return new Command('tokens')
    .description('list (the default), revoke or create the tokens that let clients use the daemon')
    .addCommand(list, { isDefault: true })
    .addCommand(revoke)
    .addCommand(create);
}

function withDb(run: (db: Db) => void): void {
  const paths = mailpingPaths();
  ensureDirectories(paths);
  const db = openDatabase(paths.database);
  try {
    run(db);
  } finally {
    db.close();
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const when = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

function settingsOrDefaults(): Settings {
  try {
    return loadSettings(mailpingPaths());
  } catch {
    return DEFAULT_SETTINGS;
  }
}

function toJson(t: TokenRecord, usage: DayUsage | undefined, settings: Settings): Record<string, unknown> {
  return {
    id: t.id,
    label: t.label,
    origin: t.origin,
    createdAt: iso(t.createdAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    today: usage ?? { fresh: 0, cached: 0 },
    quota: quotaOf(t, settings),
  };
}

function table(tokens: TokenRecord[], usage: Map<string, DayUsage>, settings: Settings): string {
  const today = (t: TokenRecord): string => {
    const u = usage.get(t.id) ?? { fresh: 0, cached: 0 };
    const quota = quotaOf(t, settings);
    return `${u.fresh}${quota ? `/${quota.freshChecksPerDay}` : ''} fresh, ${u.cached} cached`;
  };
  const rows = [
    ['ID', 'LABEL', 'ORIGIN', 'CREATED (UTC)', 'LAST USED (UTC)', 'TODAY', 'STATUS'],
    ...tokens.map((t) => [
      t.id,
      t.label ?? '-',
      t.origin ?? '(command line)',
      when(t.createdAt),
      when(t.lastUsedAt),
      today(t),
      t.revokedAt === null ? (t.scope === 'metrics' ? 'active, metrics only' : t.quota === null ? 'active' : 'active, invited') : `revoked ${when(t.revokedAt)}`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
