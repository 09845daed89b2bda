import { setFlagsFromString } from 'node:v8';
import { Command, Option } from 'commander';
import { ensureDirectories, mailpingPaths } from '../config/paths';
import { verifierOptionsFromSettings } from '../config/verifier-options';
import { createScheduler } from '../scheduler/scheduler';
import { createDaemonServer } from '../server/daemon-server';
import { startIdleCollector } from '../server/idle-collector';
import { ListenError } from '../server/listen';
import { createLogger } from '../server/logger';
import { openDatabase } from '../store/database';
import { createLazyVerifier } from '../verify/lazy-verifier';
import { commandSettings } from './command-settings';
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_UNAVAILABLE } from './exit-codes';
import { positiveInt } from './option-parsers';

interface ServeFlags {
  port?: number;
  verbose?: boolean;
}

/**
 * `mailping serve`: the daemon in the foreground, on loopback only. SIGINT/SIGTERM stop it
 * gracefully (running SMTP sessions say QUIT, clients are told, the database is closed); a
 * second signal exits at once.
 */
export function serveCommand(setExitCode: (code: number) => void): Command {
  return new Command('serve')
    .description('run the daemon in the foreground: the browser extension\'s WebSocket and the HTTP API, on 127.0.0.1 and [::1] (or settings.server.host in server mode)')
    .addOption(new Option('--port <port>', 'TCP port (default: settings.port, MAILPING_PORT, or 7425)').argParser((v) => positiveInt(v, 65535, 'port')))
    .option('-v, --verbose', 'log every connection and request')
    .action(async (flags: ServeFlags, command: Command) => {
      setExitCode(await serve(flags, command.parent?.version() ?? '0.0.0'));
    });
}

/**
 * bin/mailping.js started `serve` with a young generation that does not grow: start-up and a
 * pairing otherwise doubled it, to stay (~3 MB on one start in two). Verifying is another
 * matter: a list's thousands of short-lived objects ran ~25% slower in 1 MB semi-spaces.
 */
function youngGenerationMayGrow(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}

async function serve(flags: ServeFlags, version: string): Promise<number> {
  const paths = mailpingPaths();
  const settings = commandSettings((line) => void process.stderr.write(`mailping serve: ${line}\n`), { paths });
  if (!settings) return EXIT_CONFIG;
  const port = flags.port ?? settings.port;
  // bin/mailping.js started `serve` without V8's optimizing compiler (~4 MB resident: a local
  // daemon's time goes to DNS and SMTP, not to JavaScript). Server mode, with many clients, wants it back.
  if (settings.server.host !== null) setFlagsFromString('--opt');
  ensureDirectories(paths);
  const log = createLogger(process.stderr, { verbose: Boolean(flags.verbose) });
  const db = openDatabase(paths.database);
  const scheduler = createScheduler({ verifier: createLazyVerifier(verifierOptionsFromSettings(settings), { onLoad: youngGenerationMayGrow }), db, settings, log: (line) => log.info(line) });
  const server = createDaemonServer({ scheduler, db, settings, version, log });

  let listening;
  try {
    listening = await server.listen(port);
  } catch (error) {
    await server.shutdown();
    db.close();
    if (!(error instanceof ListenError)) throw error;
    process.stderr.write(`mailping serve: ${error.message}\n`);
    return EXIT_UNAVAILABLE;
  }

  // Start-up's garbage, and each later burst's, collected once the daemon is quiet (see idle-collector.ts).
  const collector = startIdleCollector();

  const scheme = listening.tls ? 'https' : 'http';
  const urls = listening.hosts.map((h) => `${scheme}://${h.includes(':') ? `[${h}]` : h}:${listening.port}`);
  const serverMode = settings.server.host !== null;
  const name = settings.server.hostnames[0];
  process.stdout.write(
    [
      `mailping ${version} listening on ${urls.join(' and ')} (${serverMode ? `server mode${listening.tls ? ', TLS built in' : ', behind a trusted proxy'}` : 'loopback only'})`,
      serverMode
        ? `  WebSocket:  ${listening.tls ? 'wss' : 'ws'}://${name ?? settings.server.host}${listening.tls ? `:${listening.port}` : ''}/ws`
        : `  WebSocket:  ws://127.0.0.1:${listening.port}/ws`,
      `  data:       ${paths.database}`,
      `  settings:   ${paths.configFile}`,
      serverMode
        ? 'Invite people: `mailping invite <name>` prints a one-time code for their extension or CLI. SIGHUP reloads the TLS certificate.'
        : 'Pair the browser extension: run `mailping pair` and enter the code it prints in the extension.',
      'Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );

  // Certificate renewals: certbot's and acme.sh's deploy hooks send SIGHUP.
  const onHangup = (): void => void server.reloadTls();
  process.on('SIGHUP', onHangup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info(`${signal}: shutting down (send it again to exit at once)`);
  const again = (s: NodeJS.Signals): void => {
    process.stderr.write(`mailping serve: ${s} again, exiting now\n`);
    process.exit(s === 'SIGINT' ? EXIT_INTERRUPTED : EXIT_TERMINATED);
  };
  process.once('SIGINT', again);
  process.once('SIGTERM', again);

  process.off('SIGHUP', onHangup);
  collector.stop();
  await server.shutdown();
  db.close();
  log.info('stopped');
  // Whatever still holds the event loop (a socket mid-teardown) must not keep a stopped daemon alive.
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}
