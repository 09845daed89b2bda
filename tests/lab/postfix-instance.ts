/**
 * A self-contained Postfix instance in the lab dir: its own config, queue and data directories
 * and maillog, started with `postfix -c DIR start`.
 *
 * As root, `postfix -c DIR` accepts a non-default config directory without it being listed in
 * alternate_config_directories of /etc/postfix/main.cf (Postfix only demands that for
 * unprivileged callers of its set-gid programs), so nothing outside the lab dir is modified.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BLOCKED_CLIENTS,
  RECIPIENT_ACCESS,
  postfixListeners,
  renderMailboxes,
  renderMainCf,
  renderMasterCf,
  renderTable,
  type ListenerPorts,
  type PostfixListener,
  type PostfixPaths,
} from './postfix-config';
import { run, terminate } from './processes';
import { tailOf, waitUntil } from './readiness';
import { SmtpTestSession, type LabSmtpReply } from './smtp-client';

export interface PostfixHandle {
  masterPid: number;
  paths: PostfixPaths;
  listeners: PostfixListener[];
  /** Greeting each listener gave the readiness probe (tempfail: the 421 after the burnt connection). */
  greetings: Map<string, LabSmtpReply>;
  stop(): Promise<void>;
}

export function postfixPaths(dir: string): PostfixPaths {
  return {
    configDir: join(dir, 'postfix', 'etc'),
    queueDir: join(dir, 'postfix', 'queue'),
    dataDir: join(dir, 'postfix', 'data'),
    maillog: join(dir, 'maillog'),
    logPrefix: dir,
  };
}

function postfixIds(): { uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === 'postfix') return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error('no "postfix" user: is the postfix package installed?');
}

function writeConfigFile(path: string, text: string): void {
  writeFileSync(path, text);
  // postfix check warns about group/other-writable config files; the umask may allow that.
  chmodSync(path, 0o644);
  // Postfix rereads main.cf and texthash tables in 300 ms naps until their mtime is at least a
  // second old (it assumes a file that recent is still being edited): a fresh main.cf costs
  // 1.5 s per Postfix program started. Backdating it removes that wait.
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

/**
 * Directory ownership as `postfix check` wants it: config and queue dirs owned by root and not
 * group/other-writable, data dir owned by the postfix user. Queue subdirectories are created by
 * `postfix start` itself (post-install create-missing) with their own modes.
 */
function prepareDirectories(paths: PostfixPaths): void {
  const { uid, gid } = postfixIds();
  for (const d of [paths.configDir, paths.queueDir]) {
    mkdirSync(d, { recursive: true });
    chownSync(d, 0, 0);
    chmodSync(d, 0o755);
  }
  mkdirSync(paths.dataDir, { recursive: true });
  chownSync(paths.dataDir, uid, gid);
  chmodSync(paths.dataDir, 0o700);
}

export function postfixEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // -c sets it; an inherited one pointing elsewhere would only confuse post-mortems.
  delete env.MAIL_CONFIG;
  return env;
}

function readMasterPid(queueDir: string): number | null {
  const file = join(queueDir, 'pid', 'master.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Connects, reads the greeting, QUITs. */
export async function greetingOf(host: string, port = 25): Promise<LabSmtpReply> {
  const { session, greeting } = await SmtpTestSession.connect(host, port, 2000);
  await session.quit();
  return greeting;
}

export async function startPostfix(options: {
  dir: string;
  certFile: string;
  keyFile: string;
  ports: ListenerPorts;
  onSpawn?: (masterPid: number, configDir: string) => void;
}): Promise<PostfixHandle> {
  const paths = postfixPaths(options.dir);
  prepareDirectories(paths);
  const c = paths.configDir;
  writeConfigFile(
    join(c, 'main.cf'),
    renderMainCf({ paths, certFile: options.certFile, keyFile: options.keyFile }),
  );
  writeConfigFile(join(c, 'master.cf'), renderMasterCf(options.ports));
  writeConfigFile(join(c, 'virtual-mailboxes'), renderMailboxes());
  writeConfigFile(join(c, 'recipient-access'), renderTable(RECIPIENT_ACCESS));
  writeConfigFile(join(c, 'blocked-clients.cidr'), renderTable(BLOCKED_CLIENTS));

  const started = await run('postfix', ['-c', c, 'start'], { env: postfixEnv() });
  const masterPid = readMasterPid(paths.queueDir);
  if (masterPid !== null) options.onSpawn?.(masterPid, c);
  const stop = async (): Promise<void> => {
    const pid = readMasterPid(paths.queueDir) ?? masterPid;
    if (pid !== null) await terminate(pid, { group: true });
  };
  if (started.code !== 0 || masterPid === null) {
    await stop();
    throw new Error(
      `postfix -c ${c} start failed (exit ${started.code}):\n${started.stdout}${started.stderr}\n${tailOf(paths.maillog)}`,
    );
  }

  const listeners = postfixListeners(options.ports);
  const greetings = new Map<string, LabSmtpReply>();
  try {
    await Promise.all(
      listeners.map(async (l) => {
        let greeting: LabSmtpReply | undefined;
        const where = `${l.bindHost}:${l.bindPort}`;
        await waitUntil(`postfix listener ${where} (${l.hostname})`, async () => {
          greeting = await greetingOf(l.bindHost, l.bindPort);
          return true;
        }, { logFile: paths.maillog });
        if (greeting?.code !== 220) {
          throw new Error(`${where} greeted ${greeting?.lines.join(' | ')} instead of 220`);
        }
        if (l.role === 'tempfail') {
          // That was the one connection the rate limit allows; from now on it must refuse.
          greeting = await greetingOf(l.bindHost, l.bindPort);
          if (greeting.code !== 421) {
            throw new Error(`tempfail listener ${where} greeted ${greeting.lines.join(' | ')} instead of 421`);
          }
        }
        greetings.set(l.address, greeting);
      }),
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { masterPid, paths, listeners, greetings, stop };
}

/** `postfix -c DIR check`: what Postfix itself thinks of the lab's configuration and directories. */
export async function checkPostfix(configDir: string): Promise<{ ok: boolean; output: string }> {
  const result = await run('postfix', ['-c', configDir, 'check'], { env: postfixEnv() });
  return { ok: result.code === 0, output: `${result.stdout}${result.stderr}`.trim() };
}
