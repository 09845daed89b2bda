/**
 * The daemon's own server, scheduler, engine and database, wired as `mailping serve` wires them,
 * but with the WebSocket connection cap (DEFAULT_TUNING.maxConnections, 64: one browser needs
 * one connection) raised, to measure what 1,000 simultaneous clients cost. Bench only.
 *
 *   MAILPING_HOME=DIR node --import tsx tests/bench/daemon-uncapped.ts PORT MAX_CONNECTIONS
 *
 * Prints "listening PORT" once ready; SIGTERM stops it.
 */
import { loadSettings } from '../../daemon/src/config/load-settings';
import { ensureDirectories, mailpingPaths } from '../../daemon/src/config/paths';
import { verifierOptionsFromSettings } from '../../daemon/src/config/verifier-options';
import { createScheduler } from '../../daemon/src/scheduler/scheduler';
import { createDaemonServer } from '../../daemon/src/server/daemon-server';
import { silentLogger } from '../../daemon/src/server/logger';
import { openDatabase } from '../../daemon/src/store/database';
import { createVerifier } from '../../daemon/src/verify/pipeline';

const [port, maxConnections] = process.argv.slice(2).map(Number);
const paths = mailpingPaths();
const settings = loadSettings(paths);
ensureDirectories(paths);
const db = openDatabase(paths.database);
const scheduler = createScheduler({ verifier: createVerifier(verifierOptionsFromSettings(settings)), db, settings });
const server = createDaemonServer({ scheduler, db, settings, version: 'bench', log: silentLogger, tuning: { maxConnections: maxConnections! } });
const listening = await server.listen(port!);
process.stdout.write(`listening ${listening.port}\n`);
process.once('SIGTERM', () => {
  void server.shutdown().then(() => {
    db.close();
    process.exit(0);
  });
});
