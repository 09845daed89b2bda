/**
 * The mail lab: real DNS (dnsmasq), a real MTA (one Postfix instance with a listener per lab MX
 * on 127.0.25.N:25), real greylisting (postgrey), and in-process servers only for what those
 * cannot do: an MX that never greets, a DNS server that answers SERVFAIL, and a proxy that strips
 * enhanced status codes from a Postfix listener's replies. Loopback only.
 * The address plan is in lab-table.ts.
 */
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDnsmasq } from './dnsmasq';
import { LAB_SMTP_ADDRESSES } from './lab-table';
import { liveProcesses, readState, removeState, stopLeftovers, writeState, type LabProcessRecord, type LabState } from './lab-state';
import { greetingOf, postfixPaths, startPostfix } from './postfix-instance';
import { startPostgrey } from './postgrey';
import { acquireLabLock } from './run-lock';
import { commandLineOf, findExecutable, findTcpListeners, terminateSync, workingDirOf, type Listener } from './processes';
import { freePort, tcpPortFree, udpPortFree } from './readiness';
import { startServfailResponder } from './servfail-dns';
import { startSilentServer } from './silent-server';
import { startStripCodesProxy } from './strip-codes-proxy';
import { ensureCertificate } from './tls-cert';

/** Where `pnpm lab up`/`down` and startLab() keep their files unless told otherwise. */
export const DEFAULT_LAB_DIR = '/tmp/mailping-lab';
export const DEFAULT_GREYLIST_DELAY_SECONDS = 2;

export interface Lab {
  /** '127.0.0.1:PORT', for the engine's --dns-server. */
  dnsServer: string;
  dnsPort: number;
  /** Working dir: configs, the Postfix maillog, the dnsmasq query log, postgrey's log and db. */
  dir: string;
  greylistDelaySeconds: number;
  /** Milliseconds startLab took, for whoever wants to watch it. */
  startupMs: number;
  files: { maillog: string; dnsLog: string; postgreyLog: string; postfixConfigDir: string };
  /** Wipes postgrey's db (restarting it), so every triplet is new again. */
  resetGreylist(): Promise<void>;
  /** Idempotent. Stops every process and server the lab started; the dir stays for post-mortems unless removeDir. */
  stop(options?: { removeDir?: boolean }): Promise<void>;
}

export interface StartLabOptions {
  dir?: string;
  dnsPort?: number;
  greylistDelaySeconds?: number;
  /** How long to wait for another run's lab to stop (default 15 min); 0 fails at once. */
  lockTimeoutMs?: number;
}

const REQUIRED_PROGRAMS: ReadonlyArray<readonly [program: string, debianPackage: string]> = [
  ['postfix', 'postfix'],
  ['dnsmasq', 'dnsmasq-base'],
  ['postgrey', 'postgrey'],
  ['openssl', 'openssl'],
];

/** What a previous run left in the dir; tls/ stays (the certificate is reusable). */
const RUN_FILES = ['postfix', 'postgrey', 'maillog', 'dnsmasq.conf', 'dnsmasq.log', 'dnsmasq.stderr.log', 'postgrey.log'];

function preflight(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('The mail lab binds port 25 and runs Postfix as root: run it as root (CI container, or sudo).');
  }
  const missing = REQUIRED_PROGRAMS.filter(([program]) => findExecutable(program) === null);
  if (missing.length > 0) {
    throw new Error(
      `The mail lab needs ${missing.map(([p]) => p).join(', ')}: apt-get install ${missing.map(([, pkg]) => pkg).join(' ')}`,
    );
  }
}

/**
 * Creates the lab dir searchable by everyone: postgrey and Postfix's daemons run as their own
 * users and open files in it by absolute path (Postfix's master opens data_directory/master.lock
 * as the postfix user), so every ancestor must be searchable by others too.
 */
function prepareLabDir(dir: string): void {
  const firstCreated = mkdirSync(dir, { recursive: true });
  // Directories we just created follow the umask (077 on some CI images): open them up.
  if (firstCreated) {
    for (let d = dir; d.length >= firstCreated.length; d = dirname(d)) chmodSync(d, 0o755);
  } else {
    chmodSync(dir, 0o755);
  }
  for (let d = dirname(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `The lab dir ${dir} is not reachable by the postfix and postgrey users: ${d} is not searchable by others ` +
          `(chmod o+x it, or use a dir under /tmp such as the default ${DEFAULT_LAB_DIR}).`,
      );
    }
    if (d === dirname(d)) break;
  }
}

function describeProcesses(processes: LabProcessRecord[]): string {
  return processes.map((p) => `${p.name} (pid ${p.pid})`).join(', ');
}

function downCommand(dir: string): string {
  return dir === DEFAULT_LAB_DIR ? 'pnpm lab down' : `pnpm lab down --dir ${dir}`;
}

async function assertNothingRunning(dir: string, dnsPort: number | undefined): Promise<void> {
  const state = readState(dir);
  const live = state ? liveProcesses(state) : [];
  if (live.length > 0) {
    throw new Error(
      `A mail lab started earlier in ${dir} is still running: ${describeProcesses(live)}. Stop it with \`${downCommand(dir)}\`.`,
    );
  }
  const taken: string[] = [];
  const holders = new Map<string, Listener>();
  for (const address of Object.values(LAB_SMTP_ADDRESSES)) {
    if (await tcpPortFree(address, 25)) continue;
    taken.push(`${address}:25`);
    for (const l of findTcpListeners(address, 25)) holders.set(`${l.pid}`, l);
  }
  if (dnsPort !== undefined && !((await tcpPortFree('127.0.0.1', dnsPort)) && (await udpPortFree('127.0.0.1', dnsPort)))) {
    taken.push(`127.0.0.1:${dnsPort} (DNS)`);
  }
  if (taken.length === 0) return;
  const who = [...holders.values()]
    .map((l) => (l.pid === null ? `an unknown process on ${l.address}:25` : `pid ${l.pid} (${l.command})`))
    .join(', ');
  // A Postfix master runs in its queue dir, which tells which lab it belongs to.
  const otherLabDirs = [...holders.values()].flatMap((l) => {
    const queue = l.pid === null ? null : workingDirOf(l.pid);
    return queue?.endsWith('/postfix/queue') ? [dirname(dirname(queue))] : [];
  });
  const advice =
    otherLabDirs.length > 0
      ? `That is a lab in ${otherLabDirs[0]}: stop it with \`${downCommand(otherLabDirs[0]!)}\` (if a test run owns it, it stops with that run).`
      : `If an earlier lab was left running, stop it with \`pnpm lab down\` (or \`pnpm lab down --dir DIR\` for a lab started in another dir); ` +
        'a system MTA listening on 0.0.0.0:25 must be stopped too.';
  throw new Error(`Cannot start the mail lab: ${taken.join(', ')} already taken${who ? ` by ${who}` : ''}.\n${advice}`);
}

export async function startLab(options: StartLabOptions = {}): Promise<Lab> {
  const t0 = performance.now();
  preflight();
  const dir = resolve(options.dir ?? DEFAULT_LAB_DIR);
  const greylistDelaySeconds = options.greylistDelaySeconds ?? DEFAULT_GREYLIST_DELAY_SECONDS;
  prepareLabDir(dir);
  // One lab per machine: a second run waits for the first instead of failing on "address in use".
  const releaseLock = await acquireLabLock(options.lockTimeoutMs);
  try {
    // Whoever held the lock before us is gone, so a lab still recorded here was left behind by a
    // run that died (kill -9, a crashed runner): stop it rather than fail.
    await stopLeftovers(dir);
    await assertNothingRunning(dir, options.dnsPort);
  } catch (error) {
    await releaseLock();
    throw error;
  }
  for (const f of RUN_FILES) rmSync(join(dir, f), { recursive: true, force: true });

  const state: LabState = {
    dir,
    startedAt: new Date().toISOString(),
    dnsServer: null,
    postfixConfigDir: null,
    processes: [{ name: 'owner', pid: process.pid, group: false, commandHint: commandLineOf(process.pid) ?? 'node' }],
  };
  const record = (name: LabProcessRecord['name'], pid: number, commandHint: string, group = false): void => {
    state.processes = state.processes.filter((p) => p.name !== name);
    state.processes.push({ name, pid, group, commandHint });
    writeState(state);
  };
  writeState(state);

  // Stoppers in start order; on failure and at stop() they run in reverse.
  const stoppers: Array<() => Promise<void>> = [releaseLock];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const stop of stoppers.splice(0).reverse()) {
      try {
        await stop();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'mail lab: some servers did not stop cleanly');
  };
  // If the owning process exits without stop() (process.exit in a test runner, an uncaught
  // error in `lab up`), the servers get SIGTERM on the way out; nothing async can run there.
  const exitHook = (): void => {
    for (const p of state.processes) if (p.name !== 'owner') terminateSync(p.pid, p.group);
  };
  process.on('exit', exitHook);
  const finish = (): void => {
    process.off('exit', exitHook);
    // Anything that survived SIGKILL stays recorded for `pnpm lab down`.
    if (liveProcesses(state).length === 0) removeState(dir);
  };

  try {
    const dnsPort = options.dnsPort ?? (await freePort('127.0.0.1', { udp: true }));
    const postgreyPort = await freePort('127.0.0.1');
    let nocodesBackendPort = await freePort('127.0.0.1');
    while (nocodesBackendPort === postgreyPort) nocodesBackendPort = await freePort('127.0.0.1');
    const [cert, servfail, silent] = await Promise.all([
      ensureCertificate(dir),
      startServfailResponder(),
      startSilentServer(LAB_SMTP_ADDRESSES.silent),
    ]);
    stoppers.push(servfail.stop, silent.stop);

    // The three real servers start in parallel; each registers its stopper as soon as it runs,
    // so a failure of one still stops the others.
    const results = await Promise.allSettled([
      startDnsmasq({ dir, port: dnsPort, servfailPort: servfail.port, onSpawn: (pid) => record('dnsmasq', pid, 'dnsmasq') }).then(
        (h) => (stoppers.push(h.stop), h),
      ),
      startPostgrey({
        dir,
        port: postgreyPort,
        delaySeconds: greylistDelaySeconds,
        onSpawn: (pid) => record('postgrey', pid, 'postgrey'),
      }).then((h) => (stoppers.push(h.stop), h)),
      startPostfix({
        dir,
        certFile: cert.certFile,
        keyFile: cert.keyFile,
        ports: { postgreyPort, nocodesBackendPort },
        onSpawn: (pid, configDir) => {
          state.postfixConfigDir = configDir;
          record('postfix-master', pid, '/postfix/sbin/master', true);
        },
      }).then((h) => (stoppers.push(h.stop), h)),
    ]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      throw new Error(failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n'));
    }
    const postgrey = (results[1] as PromiseFulfilledResult<Awaited<ReturnType<typeof startPostgrey>>>).value;

    const nocodes = await startStripCodesProxy({
      address: LAB_SMTP_ADDRESSES.nocodes,
      backendHost: '127.0.0.1',
      backendPort: nocodesBackendPort,
    });
    stoppers.push(nocodes.stop);
    const greeting = await greetingOf(LAB_SMTP_ADDRESSES.nocodes);
    if (greeting.code !== 220) {
      throw new Error(`${LAB_SMTP_ADDRESSES.nocodes}:25 (nocodes proxy) greeted ${greeting.lines.join(' | ')}`);
    }

    const dnsServer = `127.0.0.1:${dnsPort}`;
    state.dnsServer = dnsServer;
    writeState(state);

    let stopping: Promise<void> | null = null;
    const paths = postfixPaths(dir);
    return {
      dnsServer,
      dnsPort,
      dir,
      greylistDelaySeconds,
      startupMs: Math.round(performance.now() - t0),
      files: {
        maillog: paths.maillog,
        dnsLog: join(dir, 'dnsmasq.log'),
        postgreyLog: join(dir, 'postgrey.log'),
        postfixConfigDir: paths.configDir,
      },
      async resetGreylist() {
        await postgrey.reset();
        record('postgrey', postgrey.pid, 'postgrey');
      },
      stop(stopOptions = {}) {
        stopping ??= (async () => {
          try {
            await stopAll();
          } finally {
            finish();
          }
        })();
        return stopping.then(() => {
          if (stopOptions.removeDir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
        });
      },
    };
  } catch (e) {
    // The start-up error is the one worth reporting; a stop failure would only hide it.
    await stopAll().catch(() => {});
    finish();
    throw e;
  }
}
