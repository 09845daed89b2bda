/**
 * Greylisting for greylist.test: postgrey as Postfix's policy service, with a short delay, its own
 * db dir and port, and no auto-whitelisting (so a client that passed once is greylisted again
 * for every new triplet, as the engine's retry tests need).
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { spawnLogged, terminate } from './processes';
import { waitUntil } from './readiness';

export interface PostgreyHandle {
  readonly pid: number;
  /** Kills postgrey, wipes its db and starts it again on the same port. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function userIds(name: string): { uid: number; gid: number } | null {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return null;
}

/** One policy request for a triplet no test uses: proves postgrey has opened its db and answers. */
export function postgreyAnswers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () =>
      socket.write(
        [
          'request=smtpd_access_policy',
          'protocol_state=RCPT',
          'client_address=192.0.2.1',
          'client_name=unknown',
          'sender=readiness@lab.invalid',
          'recipient=readiness@lab.invalid',
          '',
          '',
        ].join('\n'),
      ),
    );
    socket.on('data', (d: Buffer) => {
      answer += d.toString();
      if (answer.includes('\n\n')) done(answer.startsWith('action='));
    });
  });
}

export async function startPostgrey(options: {
  dir: string;
  port: number;
  delaySeconds: number;
  onSpawn?: (pid: number) => void;
}): Promise<PostgreyHandle> {
  const home = join(options.dir, 'postgrey');
  const dbDir = join(home, 'db');
  const logFile = join(options.dir, 'postgrey.log');
  // Empty whitelists: otherwise postgrey reads /etc/postgrey/whitelist_* (and their .local files).
  const emptyList = join(home, 'whitelist-empty');
  // postgrey drops privileges to its own user (created by the Debian package); its db dir must be its own.
  const [user, group] = userIds('postgrey') ? ['postgrey', 'postgrey'] : ['nobody', 'nogroup'];
  const ids = userIds(user);

  let pid = 0;
  const launch = async (): Promise<void> => {
    rmSync(dbDir, { recursive: true, force: true });
    mkdirSync(dbDir, { recursive: true, mode: 0o755 });
    if (ids) chownSync(dbDir, ids.uid, ids.gid);
    writeFileSync(emptyList, '');
    const child = spawnLogged(
      'postgrey',
      [
        `--inet=127.0.0.1:${options.port}`,
        `--delay=${options.delaySeconds}`,
        `--dbdir=${dbDir}`,
        '--auto-whitelist-clients=0',
        `--whitelist-clients=${emptyList}`,
        `--whitelist-recipients=${emptyList}`,
        `--user=${user}`,
        `--group=${group}`,
      ],
      logFile,
    );
    if (child.pid === undefined) throw new Error('postgrey could not be started (is postgrey installed?)');
    pid = child.pid;
    options.onSpawn?.(pid);
    try {
      await waitUntil(`postgrey on 127.0.0.1:${options.port}`, () => postgreyAnswers(options.port), {
        child,
        logFile,
      });
    } catch (e) {
      await terminate(pid);
      throw e;
    }
  };

  mkdirSync(home, { recursive: true });
  chmodSync(home, 0o755);
  await launch();
  return {
    get pid() {
      return pid;
    },
    async reset() {
      await terminate(pid);
      await launch();
    },
    stop: () => terminate(pid),
  };
}
